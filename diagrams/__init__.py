"""Architecture diagrams in candidate answers: parsed to one graph model, nodes typed from the
concept bank, structural findings from a rule set (content/diagrams/)."""
