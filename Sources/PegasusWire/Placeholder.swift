// PegasusWire
