"""iki-xlsx: Indikator Kinerja Individu workbooks — define, generate, collect, recap."""

__version__ = "0.1.0"
