# syntax=docker/dockerfile:1
# Multi-stage build: Maven builds the two runnable jars, a JRE image runs them.
#   docker build -t replog:local .
#   docker run --rm -p 7000:7000 -p 8000:8000 replog:local master          (no secondaries: w=1 only)
# docker-compose.yml runs a master and two secondaries from this image.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# poms first, so the dependency download is cached while only sources change
COPY pom.xml ./
COPY protocol/pom.xml protocol/
COPY node/pom.xml node/
COPY tools/pom.xml tools/
COPY bench/pom.xml bench/
COPY protocol/src protocol/src
COPY node/src node/src
COPY tools/src tools/src
COPY bench/src bench/src
COPY protocol/PROTOCOL.md protocol/
RUN mvn -B -q -DskipTests package -pl node,tools -am

FROM eclipse-temurin:17-jre
WORKDIR /opt/replog
COPY --from=build /src/node/target/replog-node.jar /opt/replog/replog-node.jar
COPY --from=build /src/tools/target/logctl.jar /opt/replog/logctl.jar
RUN printf '#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -jar /opt/replog/logctl.jar "$@"\n' > /usr/local/bin/logctl \
 && chmod +x /usr/local/bin/logctl
# every flag also comes from the environment: REPLOG_PORT, REPLOG_HTTP_PORT, REPLOG_SECONDARIES, REPLOG_DELAY_MS, …
ENV REPLOG_BIND=0.0.0.0
EXPOSE 7000 8000
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/replog/replog-node.jar"]
CMD ["master"]
