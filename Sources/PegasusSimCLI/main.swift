print("pegasus-sim")
