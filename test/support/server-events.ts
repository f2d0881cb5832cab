import { type EventStore, type StoredEvent, serverEventFeed, serverEventsOfPage } from '@usher/core';
import { wholeLog } from '../stores/contract.js';
import { okValue } from './results.js';

/** Every server event a store's log holds, in log order, with the room and position of the log event that made it. */
export async function serverEventsInLog(store: EventStore): Promise<{ id: string; roomId: string; position: number }[]> {
  const log = await wholeLog(store);
  const made = await okValue(serverEventsOfPage(serverEventFeed(store), log));
  return made.flatMap((event, index) => {
    const source = log[index] as StoredEvent;
    return event === null ? [] : [{ id: event.id, roomId: source.roomId, position: source.position }];
  });
}
