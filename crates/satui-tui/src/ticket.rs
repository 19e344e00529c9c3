//! One rule for answers that come back later than the question. Every read that fills part of
//! the org's screen is asked with a [`Ticket`]; its answer carries the ticket back and lands only
//! while the ticket is still the newest asked for that part ([`Awaited`]).
//!
//! A newer read of the same part (the filter typed further, the cursor moved to another account,
//! the page moved) makes older answers stale: landing them would show rows for the old filter or
//! pull the cursor back to where it was. A switch of org makes every answer still on its way
//! stale, because the `Awaited` record lives in the org's state, which the switch replaces; and
//! ticket numbers are never reused, so an answer for the last org cannot pass for a new one.

/// The parts of the org's screen filled by reads that may race.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Accounts,
    Detail,
    Groups,
    Roles,
    RoleDetail,
    Audit,
    OrgTokens,
    OrgTokenCount,
}

const PARTS: usize = 8;

/// Which read an answer is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub part: Part,
    pub id: u64,
}

/// The newest ticket asked for each part of one org's screen.
#[derive(Clone, Debug, Default)]
pub struct Awaited {
    newest: [u64; PARTS],
}

impl Awaited {
    /// From now on, only `ticket`'s answer lands for its part.
    pub fn expect(&mut self, ticket: Ticket) {
        self.newest[ticket.part as usize] = ticket.id;
    }

    /// Whether an answer carrying `ticket` is the one its part waits for.
    pub fn is_newest(&self, ticket: Ticket) -> bool {
        ticket.id != 0 && self.newest[ticket.part as usize] == ticket.id
    }

    /// The ticket its part waits for now (tests answer with it).
    pub fn newest(&self, part: Part) -> Ticket {
        Ticket { part, id: self.newest[part as usize] }
    }
}
