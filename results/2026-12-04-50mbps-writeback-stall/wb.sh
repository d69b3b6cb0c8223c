#!/bin/bash
cd /tmp/tg
A=off=runnel,runnel.writeback.bytes=0; B=wb1=runnel,runnel.writeback.bytes=1048576; C=wb4=runnel,runnel.writeback.bytes=4194304; D=wb16=runnel,runnel.writeback.bytes=16777216
./run.sh ${OUT:-/tmp/tg/wb}/a 1 $A $B $C $D
./run.sh ${OUT:-/tmp/tg/wb}/b 1 $D $A $B $C
./run.sh ${OUT:-/tmp/tg/wb}/c 1 $C $D $A $B
./run.sh ${OUT:-/tmp/tg/wb}/d 1 $B $C $D $A
touch ${OUT:-/tmp/tg/wb}/ALLDONE
