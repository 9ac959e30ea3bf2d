# syntax=docker/dockerfile:1
# Multi-stage build: Maven builds the two runnable jars, a JRE image runs them.
#   docker build -t replog:local .
#   docker run --rm -p 7000:7000 -p 8000:8000 replog:local master          (no secondaries: w=1 only)
# docker-compose.yml runs a master and two secondaries from this image.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The poms alone, then every third-party artifact the build needs (plugins and dependencies) in a layer of its
# own: a change to the sources reuses it, only a change to a pom downloads again.
COPY pom.xml ./
COPY protocol/pom.xml protocol/
COPY node/pom.xml node/
COPY tools/pom.xml tools/
COPY bench/pom.xml bench/
# replog-protocol, its test-jar and replog-node are built below, never downloaded: go-offline must not try
# (MDEP-204). It skips the reactor's modules by default (excludeReactor); excludeGroupIds holds without -am too.
RUN mvn -B -q dependency:go-offline -pl node,tools -am -DexcludeGroupIds=io.replog
# only what the image's two jars are built from: bench/ (its pom is above, for the reactor) and the docs are not
COPY protocol/src protocol/src
COPY node/src node/src
COPY tools/src tools/src
# offline: the build uses only the layer above, and a plugin that fetches more at build time fails here, loudly
RUN mvn -B -q -o -DskipTests package -pl node,tools -am

FROM eclipse-temurin:17-jre
WORKDIR /opt/replog
COPY --from=build /src/node/target/replog-node.jar /opt/replog/replog-node.jar
COPY --from=build /src/tools/target/logctl.jar /opt/replog/logctl.jar
RUN printf '#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -jar /opt/replog/logctl.jar "$@"\n' > /usr/local/bin/logctl \
 && chmod +x /usr/local/bin/logctl
# every flag also comes from the environment: REPLOG_PORT, REPLOG_HTTP_PORT, REPLOG_SECONDARIES, REPLOG_DELAY_MS, …
ENV REPLOG_BIND=0.0.0.0
# the node's log: mount a volume here so it outlives the container
ENV REPLOG_DATA_DIR=/data
RUN mkdir -p /data
VOLUME /data
EXPOSE 7000 8000
# exec form: java is PID 1 and gets docker stop's SIGTERM itself, so it answers waiting appends before it exits
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/replog/replog-node.jar"]
CMD ["master"]
