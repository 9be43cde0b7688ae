"""Who acts and what they may do: the typed Actor, the Action enum, the permission rules (rule 6)."""
