// PegasusSim
