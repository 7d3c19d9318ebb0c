import CLibFuzzer
import Foundation

/// The fuzz executable's entry point: hands the command line to libFuzzer's driver.
///
/// SwiftPM renames a Swift executable's `main`, which rules out libFuzzer's own `main`; running the
/// driver from here takes the same flags (`-max_total_time=`, `-runs=`, corpus directories, a crash
/// file to reproduce).
@main
enum FuzzMain {
    static func main() {
        _ = FuzzTarget.selected
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            fuzzOneInput(data, size)
        }
        exit(status)
    }
}

/// Runs the selected target on one input (also exported under libFuzzer's standard name, so other
/// drivers can link it). Every outcome but a trap or a failed `FuzzCheck` is fine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes: [UInt8]
    if let data, size > 0 {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    } else {
        bytes = []
    }
    FuzzTarget.selected.run(bytes)
    return 0
}
