// Loading functions-js runs dist/main/index.js, which requires tslib from the top of node_modules.
const http = require('node:http');
const { FunctionsClient } = require('@supabase/functions-js');

const entry = require.resolve('@supabase/functions-js').split('/node_modules/').pop();
const client = new FunctionsClient('http://127.0.0.1:1/functions/v1');

http
  .createServer((_req, res) => {
    res.end(`node-dist-main says: ${entry} gives a ${client.constructor.name}\n`);
  })
  .listen(Number(process.env.PORT) || 5000);
