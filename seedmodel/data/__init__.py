"""Package data: tables the library reads at run time."""
