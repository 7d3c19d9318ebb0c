import ArgumentParser
import FailoverControl
import Logging
import MetaProxyApp
import PegasusWire
import RouteModel

extension Logger.Level: @retroactive ExpressibleByArgument {}
