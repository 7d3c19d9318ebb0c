// ZooKeeper
