extension ThriftReader {
    /// Reads a reply's result struct up to its field 0 ("success", STRUCT), skipping other fields,
    /// and leaves the reader at the start of the response struct (docs/pegasus-reference.md §4).
    ///
    /// - Throws: `.missingField` when the result struct ends, or the input is empty, without field 0.
    public mutating func enterResultSuccess() throws(WireError) {
        guard remainingBytes > 0 else {
            throw error(.missingField, "reply has no body, so no result field 0")
        }
        while let field = try readFieldHeader() {
            if field.id == 0, field.type == .struct {
                return
            }
            try skip(field.type)
        }
        throw error(.missingField, "result struct has no field 0 (success)")
    }

    /// Reads the args struct of a request the way rDSN does: one field header whose id and type are
    /// not checked (docs/pegasus-reference.md §3.4), leaving the reader at the start of the request struct.
    ///
    /// - Throws: `.missingField` when the args struct is empty (stop first).
    public mutating func enterArgsRequest() throws(WireError) {
        guard try readFieldHeader() != nil else {
            throw error(.missingField, "args struct has no request field")
        }
    }

    /// Reads a struct's fields up to field 1 `err` (an `error_code`), skipping others by `schemas`.
    /// - Returns: `err`, or `ERR_OK` when the struct has none.
    public mutating func peekErrorField(schemas: [Int16: ThriftSchema]) throws(WireError) -> ErrorCode {
        while let field = try readFieldHeader() {
            if field.id == 1, field.type == .struct {
                return try ErrorCode(from: &self)
            }
            try skipField(field, schema: schemas[field.id])
        }
        return .ok
    }
}
