"""The kro controllers: the RGD controller, the dynamic instance controllers it starts and stops at
run time, leader election, metrics and events."""
