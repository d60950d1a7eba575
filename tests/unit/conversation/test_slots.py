"""Slots: waybills (with check digits), phones, verification digits and times, with offsets."""

from __future__ import annotations

from datetime import date

import pytest

from parceldesk.conversation.addresses import parse_address
from parceldesk.conversation.slots import extract_slots, find_keyed_waybill
from parceldesk.conversation.utterances import correct_building, correct_house_number
from parceldesk.domain.addresses import Address
from parceldesk.domain.policy import Policy
from tests.factories import BEIJING

TODAY = date(2026, 11, 28)


def _slots(policy: Policy, text: str) -> list[tuple[str, str, str]]:
    return [
        (s.type, s.value, text[s.start : s.end])
        for s in extract_slots(text, policy.carriers, TODAY)
    ]


def test_a_waybill_inside_chinese_text(policy: Policy) -> None:
    text = "你好，我想改一下 PD0000000000059 的收货地址"
    assert _slots(policy, text) == [("waybill", "PD0000000000059", "PD0000000000059")]


def test_a_spaced_lower_case_waybill_and_an_indonesian_phone(policy: Policy) -> None:
    text = "my number is +62 812 3456 7890, parcel jx 0001234567 5"
    assert _slots(policy, text) == [
        ("phone", "+6281234567890", "+62 812 3456 7890"),
        ("waybill", "JX00012345675", "jx 0001234567 5"),
    ]


def test_a_wrong_check_digit_is_reported_not_dropped(policy: Policy) -> None:
    assert _slots(policy, "PD0000000000058 where is it") == [
        ("waybill_invalid", "PD0000000000058", "PD0000000000058")
    ]


def test_full_width_digits_are_read_with_their_original_offsets(policy: Policy) -> None:
    assert _slots(policy, "尾号５６７８") == [("digits", "5678", "５６７８")]


def test_phone_date_and_window_in_one_chinese_message(policy: Policy) -> None:
    assert _slots(policy, "手机13812345678 明天下午3点以后送") == [
        ("phone", "+8613812345678", "13812345678"),
        ("date", "2026-11-29", "明天"),
        ("window", "15:00-21:00", "3点以后"),
    ]


def test_four_digits_inside_a_phone_or_waybill_are_not_verification_digits(policy: Policy) -> None:
    types = [t for t, _, _ in _slots(policy, "PD0000000000059 13812345678")]
    assert types == ["waybill", "phone"]
    assert _slots(policy, "empat digit terakhir 5678") == [("digits", "5678", "5678")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("改到北京市海淀区中关村大街27号", "北京市海淀区中关村大街27号"),
        ("改到朝阳区建国路93号万达广场5号楼", "北京市朝阳区建国路93号万达广场5号楼"),
        ("送到山西省大同市平城区迎宾路10号吧", "山西省大同市平城区迎宾路10号"),
        ("公司在同一个区的幸福路100号", "北京市幸福路100号"),
        ("我家在和平路8号3单元", "北京市和平路8号3单元"),
        # the park a road lies in is part of the address, not a word to drop
        ("上海市浦东新区张江高科技园区博云路2号", "上海市浦东新区张江高科技园区博云路2号"),
        ("改到海淀区中关村软件园东北旺西路8号", "北京市海淀区中关村软件园东北旺西路8号"),
        # a district one character off (jionlp does not know 海定区) is the city's 海淀区
        ("北京市海定区中关村大街27号", "北京市海淀区中关村大街27号"),
        ("改到海定区中关村大街27号", "北京市海淀区中关村大街27号"),
        # the next clause is no part of the address; a building in its own clause is
        ("改到北京市海淀区中关村大街27号，明天下午送", "北京市海淀区中关村大街27号"),
        ("北京市朝阳区建国路88号，2号楼1501室，谢谢", "北京市朝阳区建国路88号2号楼1501室"),
    ],
)
def test_chinese_addresses_are_completed_from_the_current_destination(
    text: str, expected: str
) -> None:
    parsed = parse_address(text, BEIJING)
    assert parsed is not None
    assert parsed.one_line() == expected


def test_a_building_correction_keeps_the_street() -> None:
    base = parse_address("改到朝阳区建国路93号万达广场3号楼", BEIJING)
    assert base is not None
    for text in ("不对，是5号楼", "no, building 5"):
        corrected = correct_building(base, text)
        assert corrected is not None
        assert corrected.one_line() == "北京市朝阳区建国路93号万达广场5号楼"


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        (Address("CN", "北京市", "北京市", "海淀区", "中关村大街27号", "3号楼"), "不对，是29号",
         "北京市海淀区中关村大街29号3号楼"),
        (Address("ID", "", "Jakarta Selatan", "", "Jl. Kemang Raya No. 15", "", "12730"),
         "eh salah, nomor 51", "Jl. Kemang Raya No. 51, Jakarta Selatan 12730"),
        (Address("SG", "", "Singapore", "", "25 Jurong East Street 31", "", "609517"),
         "no, number 27", "27 Jurong East Street 31, Singapore 609517"),
    ],
)  # fmt: skip
def test_a_house_number_correction_keeps_the_street(
    base: Address, text: str, expected: str
) -> None:
    corrected = correct_house_number(base, text)
    assert corrected is not None
    assert corrected.one_line() == expected


def test_a_building_or_a_new_road_is_not_a_house_number_correction() -> None:
    base = Address("CN", "北京市", "北京市", "海淀区", "中关村大街27号")
    assert correct_house_number(base, "不对，5号楼") is None
    assert correct_house_number(base, "改到中关村南大街29号") is None


JAKARTA = Address(
    "ID", "DKI Jakarta", "Jakarta Selatan", "Tebet", "Jl. Sudirman No. 5", "", "12810"
)
RAFFLES = Address("SG", "", "Singapore", "", "1 Raffles Place", "", "048616")


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        # a new district replaces the old one, and the old postal code goes with it
        ("Jl. Gatot Subroto No. 10, Setiabudi, Jakarta Selatan", JAKARTA,
         ("Jl. Gatot Subroto No. 10", "", "Setiabudi", "Jakarta Selatan", "")),
        # no district named: the old one is kept (and read back to the customer)
        ("kirim ke Jl. Kemang Raya 8", JAKARTA,
         ("Jl. Kemang Raya 8", "", "Tebet", "Jakarta Selatan", "12810")),
        # spoken, not written: the words run into the street's name are not part of it
        ("Alamat Barusaya jalan kemang Raya Nomor 8", JAKARTA,
         ("jalan kemang Raya Nomor 8", "", "Tebet", "Jakarta Selatan", "12810")),
        # a building before the street, another city and its postal code
        ("Gedung Wisma 46, Jl. Jend. Sudirman Kav. 1, Karet, Jakarta Pusat 10220", JAKARTA,
         ("Jl. Jend. Sudirman Kav. 1", "Gedung Wisma 46", "Karet", "Jakarta Pusat", "10220")),
        # what was said before the street ("my office, just"), not a building's name
        ("kirim ke kantor gue aja ya, Jl. Gatot Subroto No. 12, Jakarta Selatan", JAKARTA,
         ("Jl. Gatot Subroto No. 12", "", "Tebet", "Jakarta Selatan", "12810")),
        ("Jl. Merdeka No. 3, RT 02, Sukajadi, Bandung", JAKARTA,
         ("Jl. Merdeka No. 3", "RT 02", "Sukajadi", "Bandung", "")),
        ("10 Anson Road, #20-01, Singapore 079903", RAFFLES,
         ("10 Anson Road", "#20-01", "", "Singapore", "079903")),
        # a name with an apostrophe, several words; the postal code grouped as said or typed
        ("Deliver it to 25 Scott's Road, Singapore 228-220.", RAFFLES,
         ("25 Scott's Road", "", "", "Singapore", "228220")),
        # a lead-in misheard on the phone ("Deliver it to"): the words before the number go
        ("The lever to 25 Scots Road, Singapore 228220.", RAFFLES,
         ("25 Scots Road", "", "", "Singapore", "228220")),
        ("my new address is 8 Marina Boulevard, Singapore 018981", RAFFLES,
         ("8 Marina Boulevard", "", "", "Singapore", "018981")),
        ("10 Kim Yam Road, #12-345, Singapore 239 330", RAFFLES,
         ("10 Kim Yam Road", "#12-345", "", "Singapore", "239330")),
        # a Singapore postal code names one building: never carried to a new street
        ("send it to 5 Temasek Avenue", RAFFLES, ("5 Temasek Avenue", "", "", "Singapore", "")),
        # a city ending in "ya" keeps it: the particle is only a word of its own
        ("tolong diubah ke Jl. Pemuda No. 20, Surabaya", JAKARTA,
         ("Jl. Pemuda No. 20", "", "", "Surabaya", "")),
        ("ke Jl. Pemuda No. 20, Surabaya ya", JAKARTA,
         ("Jl. Pemuda No. 20", "", "", "Surabaya", "")),
        # a "Place", and the parcel's number between the request and the address
        ("hi, can you redirect PD0000000100008 to 1 Raffles Place, Singapore 048616", None,
         ("1 Raffles Place", "", "", "Singapore", "048616")),
    ],
)  # fmt: skip
def test_latin_addresses_are_split_into_street_detail_and_district(
    text: str, current: Address | None, expected: tuple[str, ...]
) -> None:
    parsed = parse_address(text, current)
    assert parsed is not None
    assert (parsed.street, parsed.detail, parsed.district, parsed.city, parsed.postal_code) == (
        expected
    )


def test_a_waybill_keyed_on_a_phone_pad_is_the_one_carrier_it_fits(policy: Policy) -> None:
    assert find_keyed_waybill("0000000000059#", policy.carriers) == "PD0000000000059"
    assert find_keyed_waybill("0000 0000 000 59", policy.carriers) == "PD0000000000059"
    assert find_keyed_waybill("0000000000058", policy.carriers) is None  # wrong check digit
    assert find_keyed_waybill("PD0000000000059", policy.carriers) is None  # not digits alone
    assert find_keyed_waybill("5678", policy.carriers) is None


def test_a_waybill_typed_against_the_digits_after_it_is_found(policy: Policy) -> None:
    found = _slots(policy, "PD0000000000059明天送") + _slots(
        policy, "PD000000000005912月20号上午送"
    )
    assert [(t, v) for t, v, _ in found if t == "waybill"] == [
        ("waybill", "PD0000000000059"),
        ("waybill", "PD0000000000059"),
    ]
    assert not [t for t, _, _ in _slots(policy, "PD000000000005812月20号") if t == "waybill"]


@pytest.mark.parametrize(
    ("text", "digits"),
    [("the last four are 5 6 7 8", "5678"), ("5-6-7-8", "5678"), ("尾号五六七八", "5678"),
     ("后四位是幺三八二", "1382"), ("五六七八", "5678")],
)  # fmt: skip
def test_digits_read_out_or_in_chinese_numerals_are_verification_digits(
    policy: Policy, text: str, digits: str
) -> None:
    assert [v for t, v, _ in _slots(policy, text) if t == "digits"] == [digits]


@pytest.mark.parametrize("text", ["我等了三四五六天", "1 2 3 4 5", "十二月"])
def test_numbers_that_are_not_four_digits_read_out_are_not_verification_digits(
    policy: Policy, text: str
) -> None:
    assert not [v for t, v, _ in _slots(policy, text) if t == "digits"]
