import json,glob,sys
for d0 in sys.argv[1:]:
  for f in sorted(glob.glob(d0+'/r*/*acks-1.json')):
    d=json.load(open(f))
    big=[(i,round(x)) for i,x in enumerate(d['publishLatencyMax']) if x>10]
    print(f.split('/')[-2], f.split('/')[-1].split('--')[0], 'p99.9=%.1f'%d['aggregatedPublishLatency999pct'], 'p99=%.1f'%d['aggregatedPublishLatency99pct'], big)
