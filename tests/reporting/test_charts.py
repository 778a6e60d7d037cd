"""SVG charts render real, labelled, accessible text, and survive empty and zero data."""

from bs4 import BeautifulSoup

from tracker.reporting.templating import environment


def render(call: str, **context: object) -> BeautifulSoup:
    template = environment().from_string('{% import "_charts.html" as charts %}' + call)
    return BeautifulSoup(template.render(**context), "html.parser")


def test_horizontal_bars_scale_to_the_largest_and_keep_their_text() -> None:
    bars = [
        {"label": "Azərbaycan Həmkarlar İttifaqları Konfederasiyası", "value": 620000.0, "text": "620.000,00 ₼"},
        {"label": "<Kuwait>", "value": 310000.0, "text": "310.000,00 ₼"},
    ]
    svg = render('{{ charts.hbars("donors", "Top donors", bars) }}', bars=bars).find("svg")
    assert svg["role"] == "img"
    assert svg.find("title").get_text() == "Top donors"
    assert (
        svg.find("desc").get_text()
        == "Azərbaycan Həmkarlar İttifaqları Konfederasiyası: 620.000,00 ₼; <Kuwait>: 310.000,00 ₼"
    )
    widths = [float(rect["width"]) for rect in svg.find_all("rect")]
    assert widths == [200.0, 100.0]  # 560 wide: 230 for the names, 130 for the figures, 200 for the bars
    texts = svg.find_all("text")
    long_name = texts[0].find("title")
    assert long_name.get_text() == "Azərbaycan Həmkarlar İttifaqları Konfederasiyası"  # in full, as a tooltip
    long_name.extract()
    labels = [t.get_text() for t in texts]
    assert labels == ["Azərbaycan Həmkarlar İtti…", "620.000,00 ₼", "<Kuwait>", "310.000,00 ₼"]


def test_markup_in_labels_is_escaped() -> None:
    html = str(
        render('{{ charts.hbars("x", "T", bars) }}', bars=[{"label": "<script>x</script>", "value": 1, "text": "1"}])
    )
    assert "<script>" not in html


def test_empty_and_zero_data_draw_nothing_and_do_not_fail() -> None:
    assert render('{{ charts.hbars("x", "T", []) }}').find_all("rect") == []
    zero = render(
        '{{ charts.columns("m", "By month", points) }}', points=[{"label": "2023-02", "value": 0, "text": "0"}]
    )
    assert [float(r["height"]) for r in zero.find_all("rect")] == [0.0]


def test_progress_caps_the_bar_but_keeps_the_true_figure_in_text() -> None:
    svg = render('{{ charts.progress("p", "TUR-EQ-2023", 1.25, "125 %") }}')
    assert [float(r["width"]) for r in svg.find_all("rect")] == [400.0, 400.0]
    assert svg.find("desc").get_text() == "125 %"
