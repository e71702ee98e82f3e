#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_nb_xenbus (tests/fuzz/corpus/nb_xenbus/).

Each seed is a set of frontend xenstore values in the harness's input
format (see the comment at the top of fuzz_nb_xenbus.c): a good frontend,
its variants, and each kind of hostile value.  Run it again after changing
the input format or the frontend keys:  tests/fuzz/gen_corpus_nb_xenbus.py
"""
import os
import shutil

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'nb_xenbus')

# enum nb_fe_key order, named keys only (netif_feature_table's frontend
# keys in bit order; rx-flip has none); then enum nb_feq_key's, per queue.
KEYS = ['multi-queue-num-queues',
        'feature-sg', 'feature-gso-tcpv4', 'feature-gso-tcpv6',
        'feature-rx-notify', 'feature-no-csum-offload',
        'feature-ipv6-csum-offload', 'request-multicast-control',
        'request-rx-copy']
FEATURES = KEYS[1:]
QKEYS = ['tx-ring-ref', 'rx-ring-ref', 'event-channel', 'event-channel-tx',
         'event-channel-rx']
QUEUES_MAX = 8

GOOD = {'tx-ring-ref': b'8', 'rx-ring-ref': b'9', 'event-channel': b'3',
        'request-rx-copy': b'1', 'feature-sg': b'1',
        'feature-rx-notify': b'1'}


def encode(values, offer=4):
    """values: device keys and queue 0's by name; 'queue-N/<key>' for
    another queue's.  offer: the backend's maximum (1..8)."""
    out = bytes([(offer - 1) % QUEUES_MAX])
    for k in KEYS:
        v = values.get(k)
        out += b'\xff' if v is None else bytes([len(v)]) + v
    for q in range(QUEUES_MAX):
        for k in QKEYS:
            v = values.get(k if q == 0 else 'queue-%d/%s' % (q, k))
            out += b'\xff' if v is None else bytes([len(v)]) + v
    return out.rstrip(b'\xff') or out[:1]


def variant(**changes):
    v = dict(GOOD)
    for k, val in changes.items():
        k = k.replace('_', '-')
        if val is None:
            v.pop(k, None)
        else:
            v[k] = val
    return v


def queues(n, split=False, **extra):
    """A good frontend with @n queues (refs 8.., ports 3..)."""
    v = {k: GOOD[k] for k in GOOD if k not in QKEYS}
    v['multi-queue-num-queues'] = str(n).encode()
    for q in range(n):
        pre = '' if q == 0 else 'queue-%d/' % q
        v[pre + 'tx-ring-ref'] = str(8 + 2 * q).encode()
        v[pre + 'rx-ring-ref'] = str(9 + 2 * q).encode()
        if split:
            v[pre + 'event-channel-tx'] = str(3 + 2 * q).encode()
            v[pre + 'event-channel-rx'] = str(4 + 2 * q).encode()
        else:
            v[pre + 'event-channel'] = str(3 + q).encode()
    v.update(extra)
    return v


def seeds():
    yield 'good', GOOD, 4
    yield 'all_features', dict(GOOD, **{k: b'1' for k in FEATURES}), 4
    yield 'features_off', dict(GOOD, **{k: b'0' for k in FEATURES[:7]}), 4
    yield 'split_evtchn', variant(event_channel=None,
                                  event_channel_tx=b'11',
                                  event_channel_rx=b'12'), 4
    yield 'split_no_rx', variant(event_channel_tx=b'4'), 4
    yield 'one_queue', variant(multi_queue_num_queues=b'1'), 1
    yield 'two_queues', queues(2), 2
    yield 'two_queues_split', queues(2, split=True), 4
    yield 'eight_queues_split', queues(8, split=True), 8
    yield 'three_of_two', queues(3), 2
    yield 'num_queues_0', queues(2, **{'multi-queue-num-queues': b'0'}), 4
    yield 'num_queues_9', queues(8, **{'multi-queue-num-queues': b'9'}), 8
    yield 'num_queues_word', queues(2, **{'multi-queue-num-queues': b'two'}), 4
    yield 'q1_no_evtchn', queues(2, **{'queue-1/event-channel': None}), 4
    yield 'q1_dup_ref', queues(2, **{'queue-1/tx-ring-ref': b'9'}), 4
    yield 'q1_huge_ref', queues(2, **{'queue-1/rx-ring-ref': b'99999999999'}), 4
    yield 'flat_keys_two_queues', variant(multi_queue_num_queues=b'2'), 4
    yield 'max_refs', variant(tx_ring_ref=b'4294967295',
                              rx_ring_ref=b'0', event_channel=b'4294967295'), 4
    yield 'no_rx_copy', variant(request_rx_copy=None), 4
    yield 'rx_copy_0', variant(request_rx_copy=b'0'), 4
    yield 'rx_copy_11', variant(request_rx_copy=b'11'), 4
    hostile = [b'12abc', b'-1', b'99999999999', b'4294967296', b'', b' 12',
               b'+12', b'0x10', b'9\n', b'1e3', b'01', b'1\x002']
    for i, h in enumerate(hostile):
        key = ['tx-ring-ref', 'rx-ring-ref', 'event-channel'][i % 3]
        yield ('bad_%s_%d' % (key.replace('-', '_'), i),
               dict(GOOD, **{key: h}), 4)
    yield 'no_tx_ring_ref', variant(tx_ring_ref=None), 4
    yield 'feature_2', variant(feature_sg=b'2'), 4
    yield 'feature_minus0', variant(feature_rx_notify=b'-0'), 4
    yield 'feature_true', variant(feature_gso_tcpv4=b'true'), 4
    yield 'long_value', variant(tx_ring_ref=b'1' * 200), 4
    yield 'empty', {}, 4


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    n = 0
    for name, values, offer in seeds():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(encode(values, offer))
        n += 1
    print('wrote %d seeds to %s' % (n, OUT))


if __name__ == '__main__':
    main()
