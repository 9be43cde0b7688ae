"""Checks of the Перечень and the children list against НОБД (A7.4): risk cases and protocols."""
