/// Response bodies shaped as in docs/pegasus-reference.md §10.5, §12.4, §12.5.
enum PegasusFixtures {
    static let version = #"{"Version":"2.5.0","GitCommit":"0123abcd"}"# + "\n"

    /// The leader's `/meta/cluster`, every value a JSON string.
    static func cluster(primary: String, metas: [String]) -> String {
        #"{"meta_servers":"\#(metas.joined(separator: ","))","primary_meta_server":"\#(primary)","#
            + #""zookeeper_hosts":"zk1:2181","zookeeper_root":"/pegasus/bjsrv","meta_function_level":"steady","#
            + #""balance_operation_count":"move_pri=0,copy_pri=0,copy_sec=0,total=0","#
            + #""primary_replica_count_stddev":"0.00","total_replica_count_stddev":"0.00"}"# + "\n"
    }

    static func app(name: String = "temp", appId: Int = 2, partitionCount: Int = 2) -> String {
        #"{"general":{"app_name":"\#(name)","app_id":"\#(appId)","partition_count":"\#(partitionCount)","#
            + #""max_replica_count":"3"}}"# + "\n"
    }

    /// The master example of docs/pegasus-reference.md §12.5: one duplication to `tjsrv`, partitions 0 (lag 5) and 1 (lag 0).
    static let duplicationMaster =
        #"{"1":{"create_ts":"2023-11-14 22:13:20","dupid":1700000000,"fail_mode":"FAIL_SLOW","#
        + #""partition_states":{"0":{"confirmed_decree":95,"last_committed_decree":100},"#
        + #""1":{"confirmed_decree":200,"last_committed_decree":200}},"remote":"tjsrv","remote_app_name":"temp","#
        + #""remote_replica_count":3,"status":"DS_LOG"},"appid":2}"# + "\n"

    /// Two duplications; the second has a partition not synced yet (`-1`) and FAIL_SKIP.
    static let duplicationTwoEntries =
        #"{"1":{"create_ts":"2023-11-14 22:13:20","dupid":1700000000,"fail_mode":"FAIL_SLOW","#
        + #""partition_states":{"0":{"confirmed_decree":10,"last_committed_decree":12}},"remote":"tjsrv","#
        + #""status":"DS_PAUSE"},"2":{"create_ts":"2023-11-15 08:00:00","dupid":1700050000,"fail_mode":"FAIL_SKIP","#
        + #""partition_states":{"0":{"confirmed_decree":-1,"last_committed_decree":7},"#
        + #""1":{"confirmed_decree":3,"last_committed_decree":3}},"remote":"gzsrv","status":"DS_LOG"},"appid":5}"#

    /// The v2.5.0 shape: no partition states.
    static let duplicationV25 =
        #"{"1":{"create_ts":"2023-11-14 22:13:20","dupid":1700000000,"fail_mode":"FAIL_SLOW","remote":"tjsrv","#
        + #""status":"DS_LOG"},"appid":2}"# + "\n"

    static let replicaDuplication =
        #"{"1700000000":{"2.0":{"duplicating":true,"fail_mode":"FAIL_SLOW","not_confirmed_mutations_num":5,"#
        + #""not_duplicated_mutations_num":2,"remote_app_name":"temp"},"2.3":{"duplicating":false,"#
        + #""fail_mode":"FAIL_SKIP","not_confirmed_mutations_num":0,"not_duplicated_mutations_num":0}}}"#
}
