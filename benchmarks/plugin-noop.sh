#!/usr/bin/env bash
# Measures the wall time nnc-maven-plugin's `generate` spends on an unchanged tree (issue 6:
# "an incremental mvn build with unchanged specs spends under 0.5 s in the plugin").
#
# It builds a throw-away project holding every spec of benchmarks/src/main/nn and samples/*
# (13 specs, among them the MNIST-sized N5) with `mvn -B generate-sources`: once to generate,
# then RUNS more times on the unchanged tree, each a fresh `mvn` (a fresh JVM), so the figure
# includes what a user pays: creating the plugin's class realm and loading its classes. The time
# of one run is from Maven's `--- nnc-maven-plugin:...:generate` header line to the next line
# Maven itself prints after the goal, both timestamped by Maven's logger to the millisecond.
#
# Usage: benchmarks/plugin-noop.sh [RUNS] [-- MAVEN_ARGS...]
#   RUNS        how many unchanged builds to time (default 7); the median is reported
#   MAVEN_ARGS  passed to every mvn call, e.g. -Dmaven.repo.local=/path/to/repo
# The plugin must be installed in that local repository first:
#   mvn -B -q install -DskipTests -Dinvoker.skip=true
# KEEP=1 in the environment keeps the throw-away project and its last build.log.
set -euo pipefail

runs=7
if [[ $# -gt 0 && $1 != -- ]]; then
    runs=$1
    shift
fi
[[ ${1:-} == -- ]] && shift
maven_args=("$@")

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)
project=$(mktemp -d "${TMPDIR:-/tmp}/nnc-plugin-noop.XXXXXX")
# KEEP=1 leaves the project and the last build's log (build.log) for inspection.
if [[ ${KEEP:-0} == 1 ]]; then
    trap 'echo "plugin-noop: project kept in $project" >&2' EXIT
else
    trap 'rm -rf "$project"' EXIT
fi

# Benchmark specs have no package line, so their folder names their package; the samples' specs
# have package lines of their own.
mkdir -p "$project/src/main/nn/bench" "$project/src/main/nn/samples"
cp "$root"/benchmarks/src/main/nn/*.nn "$project/src/main/nn/bench/"
cp "$root"/samples/*/src/main/nn/*.nn "$project/src/main/nn/samples/"
cat >"$project/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.nnc.bench</groupId>
  <artifactId>plugin-noop</artifactId>
  <version>1.0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.nnc</groupId>
      <artifactId>nnc-runtime</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>dev.nnc</groupId>
        <artifactId>nnc-maven-plugin</artifactId>
        <version>$version</version>
        <executions>
          <execution>
            <goals>
              <goal>generate</goal>
            </goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF

# One build; prints the milliseconds between the plugin's header line and the next Maven line.
plugin_millis() {
    local log=$project/build.log
    (cd "$project" && mvn -B generate-sources "${maven_args[@]}" \
        -Dorg.slf4j.simpleLogger.showDateTime=true \
        -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS >"$log" 2>&1) || {
        cat "$log" >&2
        echo "plugin-noop: the build failed" >&2
        exit 1
    }
    grep -h '\[INFO\] nnc: ' "$log" | sed 's/^[0-9:.]* //' >&2
    awk '
        function ms(t,  p) { split(t, p, ":"); return ((p[1] * 60 + p[2]) * 60 + p[3]) * 1000 }
        start == "" && /\[INFO\] --- nnc-maven-plugin:.*:generate / { start = ms($1); next }
        start != "" && /\[INFO\] (---|BUILD)/ { d = ms($1) - start; if (d < 0) d += 86400000; print d; exit }
    ' "$log"
}

echo "first build (generates everything):" >&2
first=$(plugin_millis)
echo "  plugin: ${first} ms" >&2
echo "unchanged builds:" >&2
times=()
for ((i = 1; i <= runs; i++)); do
    t=$(plugin_millis)
    echo "  run $i: plugin ${t} ms" >&2
    times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
echo "nnc-maven-plugin generate on an unchanged tree of $(find "$project/src/main/nn" -name '*.nn' | wc -l) specs: median ${median} ms over ${runs} runs (min $(printf '%s\n' "${times[@]}" | sort -n | head -n 1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)); first build ${first} ms"
