extension ThriftReader {
    /// Skips one value described by `schema`, reading rDSN placeholder types by their real layout.
    ///
    /// Inside a `.structure`, a field whose id is unknown, or whose header type differs from the
    /// schema (as generated C++ code does), is skipped generically by its header type.
    /// Nesting is bounded by `maxDepth`.
    public mutating func skip(_ schema: ThriftSchema) throws(WireError) {
        try skip(schema, depth: 0)
    }

    private mutating func skip(_ schema: ThriftSchema, depth: Int) throws(WireError) {
        switch schema {
        case .bool, .byte, .i16, .i32, .i64, .double, .string:
            try skip(schema.wireType, depth: depth)
        case .errorCode, .blob:
            try skip(ThriftType.string, depth: depth)
        case .rpcAddress, .gpid:
            try skip(ThriftType.i64, depth: depth)
        case .hostPort:
            try skip(ThriftType.string, depth: depth)
            try skip(ThriftType.i16, depth: depth)
            try skip(ThriftType.byte, depth: depth)
        case .list(let element), .set(let element):
            try checkDepth(depth)
            let start = offset
            let header = try readListHeader()
            guard header.count == 0 || header.elementType == element.wireType else {
                throw WireError(
                    .invalidType,
                    offset: start,
                    detail: "element type \(header.elementType), expected \(element.wireType)"
                )
            }
            for _ in 0..<header.count {
                try skip(element, depth: depth + 1)
            }
        case .map(let key, let value):
            try checkDepth(depth)
            let start = offset
            let header = try readMapHeader()
            guard header.count == 0 || (header.keyType == key.wireType && header.valueType == value.wireType) else {
                throw WireError(
                    .invalidType,
                    offset: start,
                    detail:
                        "map types \(header.keyType)/\(header.valueType), expected \(key.wireType)/\(value.wireType)"
                )
            }
            for _ in 0..<header.count {
                try skip(key, depth: depth + 1)
                try skip(value, depth: depth + 1)
            }
        case .structure(let fields):
            try checkDepth(depth)
            while let field = try readFieldHeader() {
                try skipField(field, schema: fields[field.id], depth: depth + 1)
            }
        }
    }

    /// Skips a field's value: by `schema` when it matches the header type, generically otherwise.
    public mutating func skipField(_ field: ThriftFieldHeader, schema: ThriftSchema?) throws(WireError) {
        try skipField(field, schema: schema, depth: 0)
    }

    private mutating func skipField(
        _ field: ThriftFieldHeader,
        schema: ThriftSchema?,
        depth: Int
    ) throws(WireError) {
        if let schema, schema.wireType == field.type {
            try skip(schema, depth: depth)
        } else {
            try skip(field.type, depth: depth)
        }
    }
}
