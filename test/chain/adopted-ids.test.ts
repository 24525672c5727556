/**
 * Mail sent by hand to a real engine as the first hop carries no mailhop header: its id is issued when the engine
 * logs accepting it, and the hop after the engine gives that id to the message that comes out with the same
 * Message-ID, once (delivery-ids.ts `adopt`). Pure: no socket.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryIds } from '../../harness/chain/delivery-ids.js';

const peer = { host: '127.0.0.1', port: 40001 };

describe('ids of mail sent by hand into a real engine', () => {
  it('the hop after the engine gives the adopted id to the same Message-ID (bracketed or bare), sealed, and only once', () => {
    const ids = new DeliveryIds({ binding: ['announced', 'sealed'], clientOf: () => peer });
    expect(ids.adopt(1, 'E1xaJ-0007-1g@relay.mailhop.test')).toBe('m1');
    const assign = ids.assignIdFor(1);
    expect(assign({ messageId: '<E1xaJ-0007-1g@relay.mailhop.test>', peer })).toEqual({ believed: false, id: 'm1', seal: ids.sealOf('m1') });
    // A second copy (a replay) is other mail: a fresh id.
    expect(assign({ messageId: '<E1xaJ-0007-1g@relay.mailhop.test>', peer })).toMatchObject({ believed: false, id: 'm2' });
  });

  it('a message that claims an id of its own, or another Message-ID, is not given the adopted id', () => {
    const ids = new DeliveryIds({ binding: ['announced', 'sealed'], clientOf: () => peer });
    ids.adopt(1, '<a@relay.mailhop.test>');
    const assign = ids.assignIdFor(1);
    expect(assign({ id: 'm7', messageId: '<a@relay.mailhop.test>', peer })).toMatchObject({ believed: false, id: 'm2' });
    expect(assign({ messageId: '<b@relay.mailhop.test>', peer })).toMatchObject({ believed: false, id: 'm3' });
    expect(assign({ messageId: '<a@relay.mailhop.test>', peer })).toEqual({ believed: false, id: 'm1', seal: ids.sealOf('m1') });
  });
});
