//! Stream subscribers by channel: each event goes only to the connections
//! subscribed to its channel, through each one's bounded queue. A queue
//! that is full marks its connection as too slow instead of growing.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use altgate_protocol::stream::Channel;
use tokio::sync::{Notify, mpsc};

use super::MarketEvent;

/// Every subscription, by channel.
#[derive(Debug, Default)]
pub(crate) struct Subscribers {
    next_id: AtomicU64,
    by_channel: RwLock<HashMap<Channel, Vec<Slot>>>,
}

#[derive(Debug, Clone)]
struct Slot {
    id: u64,
    queue: mpsc::Sender<Arc<MarketEvent>>,
    overflow: Arc<Overflow>,
}

/// Set, and the connection woken, when its queue was full.
#[derive(Debug, Default)]
struct Overflow {
    full: AtomicBool,
    wake: Notify,
}

/// One connection's subscriptions and queue. Dropping it unsubscribes.
#[derive(Debug)]
pub(crate) struct Subscription {
    slot: Slot,
    events: mpsc::Receiver<Arc<MarketEvent>>,
    channels: BTreeSet<Channel>,
    subscribers: Arc<Subscribers>,
}

/// What a subscription hears next.
#[derive(Debug)]
pub(crate) enum Next {
    /// An event of one of its channels.
    Event(Arc<MarketEvent>),
    /// Its queue was full: events were lost, and it should disconnect.
    Overflowed,
}

impl Subscribers {
    /// A subscription with a queue of `capacity` events and no channels.
    pub(crate) fn open(self: &Arc<Self>, capacity: usize) -> Subscription {
        let (queue, events) = mpsc::channel(capacity.max(1));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Subscription {
            slot: Slot { id, queue, overflow: Arc::default() },
            events,
            channels: BTreeSet::new(),
            subscribers: Arc::clone(self),
        }
    }

    /// Whether anyone listens to `channel`; events nobody hears are not built.
    pub(crate) fn wanted(&self, channel: &Channel) -> bool {
        self.read().get(channel).is_some_and(|slots| !slots.is_empty())
    }

    /// Queues `event` for every subscriber of its channel.
    pub(crate) fn publish(&self, event: &Arc<MarketEvent>) {
        let mut gone = Vec::new();
        if let Some(slots) = self.read().get(&event.channel) {
            for slot in slots {
                match slot.queue.try_send(Arc::clone(event)) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        slot.overflow.full.store(true, Ordering::Release);
                        slot.overflow.wake.notify_one();
                        gone.push(slot.id);
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => gone.push(slot.id),
                }
            }
        }
        if !gone.is_empty() {
            let mut by_channel = self.write();
            if let Some(slots) = by_channel.get_mut(&event.channel) {
                slots.retain(|slot| !gone.contains(&slot.id));
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Channel, Vec<Slot>>> {
        self.by_channel.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Channel, Vec<Slot>>> {
        self.by_channel.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Subscription {
    /// Adds channels.
    pub(crate) fn add(&mut self, channels: impl IntoIterator<Item = Channel>) {
        let mut by_channel = self.subscribers.write();
        for channel in channels {
            if self.channels.insert(channel.clone()) {
                by_channel.entry(channel).or_default().push(self.slot.clone());
            }
        }
    }

    /// Removes channels.
    pub(crate) fn remove<'c>(&mut self, channels: impl IntoIterator<Item = &'c Channel>) {
        let mut by_channel = self.subscribers.write();
        for channel in channels {
            if self.channels.remove(channel) {
                forget(&mut by_channel, channel, self.slot.id);
            }
        }
    }

    /// The channels held.
    pub(crate) fn channels(&self) -> &BTreeSet<Channel> {
        &self.channels
    }

    /// Waits for the next event, or for the news that some were lost.
    pub(crate) async fn next(&mut self) -> Next {
        if self.slot.overflow.full.load(Ordering::Acquire) {
            return Next::Overflowed;
        }
        tokio::select! {
            biased;
            () = self.slot.overflow.wake.notified() => Next::Overflowed,
            event = self.events.recv() => match event {
                // The subscription holds a sender itself, so the queue stays open.
                Some(event) => Next::Event(event),
                None => Next::Overflowed,
            },
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut by_channel = self.subscribers.write();
        for channel in &self.channels {
            forget(&mut by_channel, channel, self.slot.id);
        }
    }
}

fn forget(by_channel: &mut HashMap<Channel, Vec<Slot>>, channel: &Channel, id: u64) {
    if let Some(slots) = by_channel.get_mut(channel) {
        slots.retain(|slot| slot.id != id);
        if slots.is_empty() {
            by_channel.remove(channel);
        }
    }
}
