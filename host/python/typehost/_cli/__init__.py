"""The commands of typehost-headless, run inside the embedded interpreter (the C++ side parses
the command line and calls main through the `cli_main` hook).

The modules, by concern (each uses only those above it):

- _output: usage and error lines on stderr and their exit status, a stdout whose reader went
  away, -o/--output FILE, and run_command, which runs a built-in command with its output sent
  to one or the other;
- _python: run, -c and -m as python3 runs them (__main__, zip apps and directories, the
  traceback without the host's frames, the exit status);
- _registry_commands: types, show, values, validate, dump, schema, stubs;
- _plugin_commands: the plugin directories, starting the plugins, the plugins, enable,
  disable and check commands, the --strict report and the warning about failed plugins;
- _dispatch: main(), the checks of the command and its options, and which command runs how.

Only what a command needs is imported: _python for run/-c/-m, _registry_commands for the
registry's commands.
"""

from ._dispatch import main

__all__ = ["main"]
