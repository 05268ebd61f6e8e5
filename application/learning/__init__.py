"""What Parrot knows and how it learns: the active models, the starter, training and testing as jobs, datasets,
corrections, thumbs-downs, feedback and the uncertain answers kept for labelling."""
