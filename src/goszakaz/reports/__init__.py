"""The pilot's results report (A15, P5), the plan-schedule (P1-P5) and the figures behind them."""
