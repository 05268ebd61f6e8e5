"""Files out of the data root: `archive` zips a folder, `getfile` sends a file, `instruction` sends the
instructions."""
