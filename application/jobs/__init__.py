"""Long work as jobs: the runner, the bounded gate before heavy work, deadlines on backends, progress events
and the messages that report them, and the executor that `parrot worker` shares."""
