import json,glob,sys,os
print("| scenario | system | publish MiB/s | publish p50 / p99 / p99.9 / p99.99 ms | e2e p50 / p99 / p99.9 / p99.99 ms | broker CPU s | kernel % | CPU s/GiB |")
print("|---|---|---:|---|---|---:|---:|---:|")
for d in sys.argv[1:]:
    for f in sorted(glob.glob(d+'/*rf3.json')):
        name=os.path.basename(f)[:-5]
        sysname,scen=name.split('--')[0],name.split('--')[1]
        j=json.load(open(f)); b=json.load(open(f[:-5]+'-broker.json'))
        mb=j['measuredBytesSent']/j['measuredSeconds']/1048576
        a=lambda k: j['aggregated'+k]
        print("| %s | %s | %.1f | %.1f / %.1f / %.1f / %.1f | %.0f / %.0f / %.0f / %.0f | %.1f | %.0f | %.2f |"%(scen,sysname,mb,
          a('PublishLatency50pct'),a('PublishLatency99pct'),a('PublishLatency999pct'),a('PublishLatency9999pct'),
          a('EndToEndLatency50pct'),a('EndToEndLatency99pct'),a('EndToEndLatency999pct'),a('EndToEndLatency9999pct'),
          b['brokerCpuSeconds'],100*b['brokerSystemCpuSeconds']/b['brokerCpuSeconds'],b['brokerCpuSecondsPerGiB']))
