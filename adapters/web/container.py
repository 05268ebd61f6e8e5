"""The review page's wiring: its queries, gathered from the application's read models."""

from dependency_injector import containers, providers

from adapters.web.app import ReviewQueries


class WebContainer(containers.DeclarativeContainer):
    review = providers.DependenciesContainer()

    queries = providers.Singleton(
        ReviewQueries,
        overview=review.overview,
        inbox=review.inbox,
        models=review.models,
        picture=review.picture,
        job=review.job,
        data=review.data,
        download=review.download,
        answers=review.answers,
        settings=review.server_settings,
    )
