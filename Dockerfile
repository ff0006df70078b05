# One image for every service; the command picks which one runs (see docker-compose.yml).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# sqlite3 compiles its bundled SQLite when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY packages/runtime/package.json packages/runtime/
COPY packages/envelope/package.json packages/envelope/
COPY subgraphs/kit/package.json subgraphs/kit/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY subgraphs/suppliers/package.json subgraphs/suppliers/
RUN npm ci && npm cache clean --force

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000 4001 4002 4003
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
