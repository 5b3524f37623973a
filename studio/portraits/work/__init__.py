"""Job handlers of the product: what check, train and create jobs do (see jobs.handlers)."""
