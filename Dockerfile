# Build: install everything from the lock file, compile, then drop dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/slim-aws-sdk.ts ./scripts/slim-aws-sdk.ts
RUN npm run build && npm prune --omit=dev

# Run: only the manifest, production dependencies and the compiled code.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# V8 sizes its heap for speed, not for a small bot: the young generation grows to 32 MiB
# and the old one to four times what is live before a full collection, so 37 MiB in use
# peaked at 200-260 MiB RSS in `npm run bench` (1,000 apps, 300 launches). A 256 MiB old
# generation (about 7 times the heap in use with 1,000 apps) makes V8 collect at twice
# what is live. Set NODE_OPTIONS in the task definition to change them (docs/performance.md).
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=2"
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# PORT (default 3000) serves GET /healthz in both modes, and Slack's requests at /slack/events in HTTP mode.
EXPOSE 3000
# The slim image has no curl: ask Node itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The CLI is in the same image: node /app/dist/cli/main.js launch 42 --wait
CMD ["node", "dist/main.js"]
