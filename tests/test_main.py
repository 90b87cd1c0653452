"""`python -m core` prints the seed experiment like the notebook."""

from core.__main__ import main


def test_python_m_core_prints_the_seed_numbers(capsys):
    """W_0's first entry, W_1 without and with decay, and the 'weight decay' labels all appear."""
    main()
    out = capsys.readouterr().out
    for expected in ("0.4386", "0.2489", "0.2050", "weight decay"):
        assert expected in out
