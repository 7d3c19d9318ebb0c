#!/usr/bin/env bash
# Start or stop a throwaway ZooKeeper server (Debian package `zookeeper`) on loopback.
#   scripts/zk.sh start [PORT] [DIR]   -> prints "127.0.0.1:PORT"; state kept in DIR (default /tmp/meta-proxy-zk)
#   scripts/zk.sh stop [DIR]           -> stops it and removes DIR
#   scripts/zk.sh pause|resume [DIR]   -> SIGSTOP/SIGCONT the server (session-expiry tests)
set -euo pipefail
cmd=${1:-}
case "$cmd" in
start)
  port=${2:-21810}
  dir=${3:-/tmp/meta-proxy-zk}
  mkdir -p "$dir/data"
  cat > "$dir/zoo.cfg" <<CFG
tickTime=200
minSessionTimeout=400
maxSessionTimeout=60000
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,stat,srvr,mntr,cons,wchs,wchc,wchp
maxClientCnxns=0
CFG
  cat > "$dir/log4j.properties" <<'L4J'
log4j.rootLogger=WARN, F
log4j.appender.F=org.apache.log4j.FileAppender
log4j.appender.F.File=${zk.log.file}
log4j.appender.F.layout=org.apache.log4j.PatternLayout
log4j.appender.F.layout.ConversionPattern=%d %-5p %c{1} - %m%n
L4J
  cp="$dir:/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar"
  for j in /usr/share/java/{slf4j-api,slf4j-log4j12,log4j-1.2,netty-handler,netty-common,netty-buffer,netty-transport,netty-codec,netty-resolver,netty-transport-native-unix-common,netty-transport-classes-epoll,metrics-core,commons-cli,commons-io,snappy-java,jline,audience-annotations}.jar; do
    [ -f "$j" ] && cp="$cp:$j"
  done
  nohup java -Xmx256m -Dzk.log.file="$dir/zk.log" -Dlog4j.configuration="file:$dir/log4j.properties" \
    -Dzookeeper.admin.enableServer=false -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
    > "$dir/stdout.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 150); do
    # Bounded (SIGKILL: a caller may have left SIGTERM blocked): a server still starting may never
    # close the command socket.
    if timeout -s KILL 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf srvr >&3 && cat <&3" 2>/dev/null | grep -q '^Mode:'; then
      echo "127.0.0.1:$port"; exit 0
    fi
    sleep 0.2
  done
  echo "zookeeper did not start on 127.0.0.1:$port; see $dir/stdout.log" >&2
  cat "$dir/stdout.log" >&2 || true
  exit 1 ;;
stop)
  dir=${2:-/tmp/meta-proxy-zk}
  if [ -f "$dir/pid" ]; then kill -CONT "$(cat "$dir/pid")" 2>/dev/null || true; kill "$(cat "$dir/pid")" 2>/dev/null || true; sleep 0.5; kill -9 "$(cat "$dir/pid")" 2>/dev/null || true; fi
  rm -rf "$dir" ;;
pause)  kill -STOP "$(cat "${2:-/tmp/meta-proxy-zk}/pid")" ;;
resume) kill -CONT "$(cat "${2:-/tmp/meta-proxy-zk}/pid")" ;;
*) echo "usage: $0 start [PORT] [DIR] | stop [DIR] | pause [DIR] | resume [DIR]" >&2; exit 2 ;;
esac
