"""How a command is read, checked and answered in a chat: parsing, arguments, permissions, limits, long text, languages.
Also the general commands (hi, help, settings) and the log of events. Every feature may use it; it uses none."""
