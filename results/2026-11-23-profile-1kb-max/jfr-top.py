import re, sys, collections
# Parses `jfr print --events jdk.ExecutionSample --stack-depth N` output: top frames (self) and inclusive counts.
text = open(sys.argv[1]).read()
events = text.split("jdk.ExecutionSample")
selfc = collections.Counter(); incl = collections.Counter(); threads = collections.Counter()
n = 0
for ev in events[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', ev)
    th = m.group(1) if m else "?"
    th = re.sub(r'\d+', 'N', th)
    frames = re.findall(r'^\s+([\w$.<>/]+\.[\w$<>]+)\(', ev, re.M)
    if not frames: continue
    n += 1
    threads[th] += 1
    selfc[frames[0]] += 1
    for f in set(frames):
        incl[f] += 1
print("samples", n)
print("\nby thread:")
for t, c in threads.most_common(12): print(f"{100*c/n:5.1f}%  {t}")
print("\nself (top frame):")
for f, c in selfc.most_common(25): print(f"{100*c/n:5.1f}%  {f}")
print("\ninclusive (within stack depth):")
for f, c in incl.most_common(40): print(f"{100*c/n:5.1f}%  {f}")
