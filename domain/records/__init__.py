"""What a МОЦ records beside its steps: organisations, programmes, events, narrative."""
