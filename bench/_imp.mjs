const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (const m of [process.argv[2]]) { const t = cpu(); await import(m); console.log(m, Math.round(cpu() - t)); }
