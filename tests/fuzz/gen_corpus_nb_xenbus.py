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
# keys in bit order; rx-flip has none).
KEYS = ['tx-ring-ref', 'rx-ring-ref', 'event-channel', 'event-channel-tx',
        'event-channel-rx', 'multi-queue-num-queues',
        'feature-sg', 'feature-gso-tcpv4', 'feature-gso-tcpv6',
        'feature-rx-notify', 'feature-no-csum-offload',
        'feature-ipv6-csum-offload', 'request-multicast-control',
        'request-rx-copy']

GOOD = {'tx-ring-ref': b'8', 'rx-ring-ref': b'9', 'event-channel': b'3',
        'request-rx-copy': b'1', 'feature-sg': b'1',
        'feature-rx-notify': b'1'}


def encode(values):
    out = b''
    for k in KEYS:
        v = values.get(k)
        out += b'\xff' if v is None else bytes([len(v)]) + v
    return out


def variant(**changes):
    v = dict(GOOD)
    for k, val in changes.items():
        k = k.replace('_', '-')
        if val is None:
            v.pop(k, None)
        else:
            v[k] = val
    return v


def seeds():
    yield 'good', GOOD
    yield 'all_features', dict(GOOD, **{k: b'1' for k in KEYS[6:]})
    yield 'features_off', dict(GOOD, **{k: b'0' for k in KEYS[6:13]})
    yield 'split_evtchn', variant(event_channel=None,
                                  event_channel_tx=b'11',
                                  event_channel_rx=b'12')
    yield 'split_no_rx', variant(event_channel_tx=b'4')
    yield 'one_queue', variant(multi_queue_num_queues=b'1')
    yield 'two_queues', variant(multi_queue_num_queues=b'2')
    yield 'max_refs', variant(tx_ring_ref=b'4294967295',
                              rx_ring_ref=b'0', event_channel=b'4294967295')
    yield 'no_rx_copy', variant(request_rx_copy=None)
    yield 'rx_copy_0', variant(request_rx_copy=b'0')
    yield 'rx_copy_11', variant(request_rx_copy=b'11')
    hostile = [b'12abc', b'-1', b'99999999999', b'4294967296', b'', b' 12',
               b'+12', b'0x10', b'9\n', b'1e3', b'01', b'1\x002']
    for i, h in enumerate(hostile):
        key = ['tx-ring-ref', 'rx-ring-ref', 'event-channel'][i % 3]
        yield 'bad_%s_%d' % (key.replace('-', '_'), i), dict(GOOD, **{key: h})
    yield 'no_tx_ring_ref', variant(tx_ring_ref=None)
    yield 'feature_2', variant(feature_sg=b'2')
    yield 'feature_minus0', variant(feature_rx_notify=b'-0')
    yield 'feature_true', variant(feature_gso_tcpv4=b'true')
    yield 'long_value', variant(tx_ring_ref=b'1' * 200)
    yield 'empty', {}


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    n = 0
    for name, values in seeds():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(encode(values))
        n += 1
    print('wrote %d seeds to %s' % (n, OUT))


if __name__ == '__main__':
    main()
