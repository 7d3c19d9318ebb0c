// FailoverPolicy
