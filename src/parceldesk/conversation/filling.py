"""Filling the current task's slots from what the customer said, and verifying the caller."""

from __future__ import annotations

import re
from dataclasses import replace

from parceldesk.conversation import events as e
from parceldesk.conversation.addresses import looks_like_address, parse_address
from parceldesk.conversation.descriptions import answers_what_happened, tells_what_happened
from parceldesk.conversation.nlu.understand import Understanding
from parceldesk.conversation.slots import find_keyed_waybill
from parceldesk.conversation.state import ConversationState
from parceldesk.conversation.utterances import (
    confirmation,
    correct_building,
    correct_house_number,
    decode_address,
    encode_address,
)
from parceldesk.conversation.weights import find_items, find_weight
from parceldesk.domain.addresses import Address, check_address
from parceldesk.domain.commands import VerifyParty
from parceldesk.domain.errors import (
    InvalidAddress,
    InvalidInput,
    PostalCodeMissing,
    ShipmentLocked,
    VerificationFailed,
)
from parceldesk.services.context import Context
from parceldesk.services.tracking import get_shipment
from parceldesk.services.verification import acting_role, verify_party

DESCRIBED_TASKS = frozenset({"complaint", "report_damage_loss"})
NOT_ADDRESS = frozenset({"date", "window", "phone", "waybill", "waybill_invalid"})


def address_text(u: Understanding) -> str:
    """The message without its day, time, phone and waybill, which are no part of an address
    ("北京市朝阳区建国路88号 tomorrow 9-12" is the street, then the time)."""
    rest = list(u.text)
    for slot in u.slots:
        if slot.type in NOT_ADDRESS:
            rest[slot.start : slot.end] = [" "] * (slot.end - slot.start)
    return re.sub(r"\s+", " ", "".join(rest)).strip()


NEEDS_VERIFICATION = {
    "change_address", "reschedule_delivery", "hold_at_station", "intercept_return",
    "report_damage_loss",
}  # fmt: skip


class SlotFilling:
    """The part of a conversation that takes slots from messages; mixed into ``Conversation``."""

    ctx: Context
    channel: str
    state: ConversationState

    def _emit(self, event: e.Event) -> None:
        raise NotImplementedError

    def _say(self, key: str, **values: object) -> None:
        raise NotImplementedError

    def _handoff(self, reason: str) -> None:
        raise NotImplementedError

    def _absorb(self, u: Understanding) -> bool:
        """Take what the message says for the current task; True if anything was taken."""
        taken = self._absorb_keyed_waybill(u)
        for slot in u.slots:
            if slot.type == "waybill_invalid":
                self._say("invalid_waybill", waybill=slot.value)
                taken = True
            elif slot.type in {"waybill", "date", "window"}:
                self._emit(e.SlotFilled(slot.type, slot.value))
                taken = True
        digits, phone = u.slot("digits"), u.slot("phone")
        if (digits or phone) and self.state.task in NEEDS_VERIFICATION | {"complaint"}:
            self._verify(VerifyParty("", self.channel, phone_last4=digits, phone=phone))
            taken = True
        return self._absorb_text(u) or taken

    def _absorb_keyed_waybill(self, u: Understanding) -> bool:
        """Digits alone when a waybill was asked for: a waybill keyed on a phone pad."""
        if self.state.asked != "waybill" or u.slot("waybill"):
            return False
        keyed = find_keyed_waybill(u.text, self.ctx.policy.carriers)
        if keyed:
            self._emit(e.SlotFilled("waybill", keyed))
        return keyed is not None

    def _absorb_text(self, u: Understanding) -> bool:
        task, asked = self.state.task, self.state.asked
        if task == "request_pickup":
            return self._absorb_pickup(u)
        if task == "change_address" and (
            asked == "new_address"
            or looks_like_address(u.text)
            or self._proposed_address() is not None  # "no, building 5" corrects it
        ):
            return self._absorb_address(address_text(u))
        if asked == "description":
            described = u.intent not in {"affirm", "deny"} and answers_what_happened(u)
        else:  # "the courier was rude to my mum" both starts a complaint and describes it
            described = (
                task in DESCRIBED_TASKS
                and u.intent == task
                and "description" not in self.state.slots
                and tells_what_happened(u)
            )
        if described:
            self._emit(e.SlotFilled("description", u.text.strip()))
        return described

    def _absorb_address(self, text: str) -> bool:
        waybill = self.state.slots.get("waybill")
        proposed = self._proposed_address()
        corrected = (
            correct_building(proposed, text) or correct_house_number(proposed, text)
            if proposed
            else None
        )
        if not waybill or (corrected is None and not looks_like_address(text)):
            return False
        if corrected is None:
            corrected = parse_address(text, get_shipment(self.ctx, waybill).destination)
        self._fill_address("new_address", corrected)
        return True

    def _fill_address(self, slot: str, parsed: Address | None) -> None:
        """Fill ``slot`` with a valid address, or say it could not be read."""
        try:
            address = check_address(parsed, self.ctx.policy.served_countries) if parsed else None
        except PostalCodeMissing:
            self._say("address_needs_postal_code")
            return
        except InvalidAddress:
            address = None
        if address is None:
            self._say("address_unreadable")
        else:
            self._emit(e.SlotFilled(slot, encode_address(address)))

    def _proposed_address(self) -> Address | None:
        encoded = self.state.slots.get("new_address")
        return decode_address(encoded) if encoded else None

    def _verify(self, proof: VerifyParty) -> None:
        """Check the last four digits or the whole phone number the caller gave for the parcel."""
        waybill = self.state.slots.get("waybill")
        if not waybill or self.state.grant_for(waybill):
            return
        try:
            verified = verify_party(self.ctx, replace(proof, waybill=waybill))
        except VerificationFailed as failed:
            self._emit(e.VerificationFailed(waybill, failed.attempts_left))
            self._say("verification_failed", attempts_left=failed.attempts_left)
            return
        except ShipmentLocked:
            self._say("locked")
            self._handoff("verification_locked")
            return
        except InvalidInput:
            return
        role = acting_role(verified.roles)
        self._emit(e.PartyVerified(waybill, str(role), verified.token))
        self._say("verified")

    def _absorb_pickup(self, u: Understanding) -> bool:
        taken = False
        if "pickup_address" not in self.state.slots and looks_like_address(u.text):
            self._fill_address("pickup_address", parse_address(address_text(u), None))
            if "pickup_address" not in self.state.slots:
                return True
            taken = True
        if (weight := find_weight(u.text)) and "weight_grams" not in self.state.slots:
            self._emit(e.SlotFilled("weight_grams", str(weight.grams)))
            items = find_items(u.text, weight, u.slots)
            if items and "items" not in self.state.slots:
                self._emit(e.SlotFilled("items", items))
            taken = True
        if (phone := u.slot("phone")) and "phone" not in self.state.slots:
            self._emit(e.SlotFilled("phone", phone))
            taken = True
        if self.state.asked == "items" and "items" not in self.state.slots and not taken:
            if confirmation(u.text) is not None or u.intent in {"affirm", "deny"}:
                return False  # "对的" answers no question here: it is not what is sent
            self._emit(e.SlotFilled("items", u.text.strip()))
            taken = True
        return taken
