print("meta-proxy")
