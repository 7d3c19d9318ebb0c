import NIOCore
import PegasusWire
import RouteModel

/// An ``UpstreamQuery`` whose outcome completes a promise: for the control plane (CLI queries,
/// health probes) and tests, where a future is wanted and a promise per query costs nothing that matters.
final class PromiseQuery: UpstreamQuery {
    /// Completed with the query's outcome.
    let promise: EventLoopPromise<ResponseFrame>

    init(name: String, args: ByteBuffer, deadline: NIODeadline, followsForwards: Bool, promise: EventLoopPromise<ResponseFrame>) {
        self.promise = promise
        super.init(name: name, args: args, deadline: deadline, followsForwards: followsForwards)
    }

    override func completed(_ result: Result<ResponseFrame, UpstreamError>) {
        switch result {
        case .success(let frame): promise.succeed(frame)
        case .failure(let error): promise.fail(error)
        }
    }
}
