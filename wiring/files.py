"""`application/files`: files out of the data root (`archive`, `getfile`) and the instructions file."""

from dependency_injector import containers, providers

from application.chat.limits import RequestLimits
from application.files.archive_files import ArchiveFilesHandler
from application.files.get_file import GetFileHandler
from application.files.send_instruction import SendInstructionHandler
from application.ports.chat import ChatOutput
from domain import commands


class Files(containers.DeclarativeContainer):
    limits = providers.Dependency(instance_of=RequestLimits)
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    storage = providers.DependenciesContainer()

    handlers = providers.Dict(
        {
            commands.SendInstruction: providers.Singleton(
                SendInstructionHandler, chat=chat_output, instructions=storage.instructions
            ),
            commands.GetFile: providers.Singleton(
                GetFileHandler, chat=chat_output, vault=storage.vault, max_bytes=limits.provided.file_bytes
            ),
            commands.ArchiveFiles: providers.Singleton(
                ArchiveFilesHandler,
                chat=chat_output,
                vault=storage.vault,
                max_bytes=limits.provided.archive_bytes,
                max_entries=limits.provided.archive_entries,
            ),
        }
    )
    subscribers = providers.Dict({})
