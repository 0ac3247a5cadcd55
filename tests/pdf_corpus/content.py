"""What the corpus documents say: IKI documents as agencies word them (the sasaran,
indikator, formulas and data sources are written after the seeds' real wording — long
cells, merged sasaran over several indikator, words with a hyphen such as ``e-Pantau``
and ``Perundang-Undangan``), with synthetic names and NIPs.

:func:`documents` makes ``count`` documents from a seed; the same seed gives the same
documents, so that every producer's PDF can be compared with what it was made from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Ind:
    indikator: str
    penjelasan: str
    sumber: str
    target: str = ""


@dataclass
class Group:
    no: str
    sasaran: str
    indicators: list[Ind]


@dataclass
class Signer:
    jabatan: str
    nama: str
    pangkat: str
    nip: str  # as printed: "NIP. 19700512 199503 1 002"


@dataclass
class Doc:
    perangkat_daerah: str
    jabatan: str
    tugas: str
    fungsi: list[str]
    groups: list[Group]
    atasan: Signer
    pegawai: Signer
    tempat_tanggal: str = "Tenggarong, 20 Januari 2025"
    heading: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str, Ind]]:
        """(no, sasaran, indicator) per table row."""
        return [(g.no, g.sasaran, i) for g in self.groups for i in g.indicators]


# (sasaran, [(indikator, penjelasan, sumber data)])
THEMES = [
    ("Meningkatnya kualitas pelayanan administrasi kepegawaian daerah",
     [("Indeks Kepuasan ASN terhadap pelayanan BKPSDM",
       "Nilai rata-rata hasil survei kepuasan ASN terhadap pelayanan kepegawaian",
       "Laporan Survei Kepuasan Layanan"),
      ("Persentase layanan kepegawaian yang diselesaikan tepat waktu",
       "Jumlah layanan selesai tepat waktu dibagi jumlah layanan yang diajukan dikali 100%",
       "Aplikasi SIASN dan e-Pantau")]),
    ("Mewujudkan tingkat kepatuhan atas Laporan Harta Kekayaan Penyelenggara Negara (LHKPN) "
     "dan Laporan Harta Kekayaan Aparatur Sipil Negara (LHKASN)",
     [("Tingkat kepatuhan serta kelengkapan LHKPN pertanggal 31 Maret",
       "Jumlah wajib LHKPN yang melapor dibagi jumlah wajib LHKPN dikali 100%",
       "Inspektorat / Admin LHKASN Kabupaten"),
      ("Tingkat kepatuhan penyampaian SPT Tahunan pertanggal 31 Maret",
       "Jumlah ASN yang menyampaikan SPT Tahunan dibagi jumlah ASN wajib lapor dikali 100%",
       "Sub Bagian Umum dan Kepegawaian")]),
    ("Terlaksananya ketepatan waktu penyampaian LKJIP",
     [("Tingkat ketepatan waktu penyampaian Laporan Kinerja Instansi Pemerintah (LKjIP) "
       "Perangkat Daerah paling lambat akhir bulan Februari setiap tahun",
       "Tanggal penyampaian LKjIP dibandingkan batas waktu yang ditetapkan",
       "Sub Bagian Perencanaan dan Keuangan")]),
    ("Tersusunnya produk hukum daerah bidang kepegawaian sesuai ketentuan Peraturan "
     "Perundang-Undangan",
     [("Jumlah rancangan Peraturan Bupati bidang kepegawaian yang diharmonisasi",
       "Jumlah rancangan yang selesai diharmonisasi dengan Peraturan Perundang-Undangan "
       "yang lebih tinggi",
       "Bagian Hukum Sekretariat Daerah"),
      ("Persentase keputusan kepegawaian yang diterbitkan tanpa koreksi",
       "Jumlah keputusan tanpa koreksi dibagi jumlah keputusan yang diterbitkan dikali 100%",
       "Arsip keputusan dan e-Kinerja")]),
    ("Meningkatnya kompetensi Aparatur Sipil Negara",
     [("Persentase ASN yang mengikuti pengembangan kompetensi paling sedikit 20 JP dalam "
       "1 (satu) tahun",
       "Jumlah ASN dengan sertifikat 20 JP dibagi jumlah seluruh ASN dikali 100%",
       "Sertifikat pengembangan kompetensi"),
      ("Jumlah pelatihan teknis yang diselenggarakan",
       "Jumlah pelatihan teknis yang terlaksana sesuai jadwal",
       "Bidang Pengembangan Kompetensi"),
      ("Indeks Profesionalitas ASN",
       "Hasil pengukuran dimensi kualifikasi, kompetensi, kinerja dan disiplin",
       "Laporan Indeks Profesionalitas ASN")]),
    ("Terwujudnya akuntabilitas kinerja perangkat daerah",
     [("Nilai SAKIP perangkat daerah", "Nilai hasil evaluasi SAKIP oleh Inspektorat Daerah",
       "Laporan Hasil Evaluasi SAKIP"),
      ("Jumlah temuan BPK yang belum ditindaklanjuti",
       "Jumlah rekomendasi hasil pemeriksaan yang belum selesai ditindaklanjuti",
       "Laporan Hasil Pemeriksaan BPK"),
      ("Jumlah dokumen perencanaan yang disusun tepat waktu",
       "Jumlah dokumen Renja, RKA dan DPA yang disahkan sebelum batas waktu",
       "Sub Bagian Perencanaan dan Keuangan")]),
    ("Tertibnya pengelolaan arsip dan data kepegawaian",
     [("Persentase arsip kepegawaian yang tertata dan terdigitalisasi",
       "Jumlah arsip tertata dibagi jumlah arsip dikali 100%",
       "Sub Bagian Umum dan Kepegawaian"),
      ("Jumlah laporan pemutakhiran data kepegawaian pada aplikasi e-Pantau",
       "Jumlah laporan triwulanan yang disampaikan", "Aplikasi e-Pantau")]),
    ("Terlaksananya monitoring dan evaluasi penilaian kinerja PNS",
     [("Jumlah dokumen penilaian kinerja PNS yang dimonitoring dan dievaluasi",
       "Jumlah dokumen yang dievaluasi dibagi target dikali 100%",
       "Dokumen SKP tahun 2024 yang sudah disetujui dan dinilai oleh atasan")]),
    ("Meningkatnya penyelenggaraan Satu Data Indonesia",
     [("Persentase keterinputan data pada portal Satu Data Indonesia",
       "Jumlah data yang diinput dibagi jumlah data yang wajib diinput dikali 100%",
       "Dinas Komunikasi dan Informatika")]),
    ("Terselenggaranya pelayanan administrasi perkantoran",
     [("Persentase surat masuk dan surat keluar yang diagendakan",
       "Jumlah surat yang diagendakan dibagi jumlah surat masuk dan keluar dikali 100%",
       "Buku agenda surat masuk dan surat keluar"),
      ("Persentase sarana dan prasarana kantor dalam kondisi baik",
       "Jumlah sarana dan prasarana dalam kondisi baik dibagi jumlah yang dimiliki "
       "dikali 100%", "Kartu Inventaris Barang"),
      ("Jumlah laporan pemeliharaan kendaraan dinas", "Jumlah laporan bulanan yang disusun",
       "Sub Bagian Umum dan Kepegawaian")]),
    ("Terlaksananya Gerakan Etam Mengaji (GEMA) di perangkat daerah",
     [("Jumlah laporan pelaksanaan \"Gerakan Etam Mengaji (GEMA)\"",
       "Jumlah laporan pelaksanaan GEMA setiap bulan", "Absensi GEMA")]),
    ("Tersedianya dokumen perencanaan dan penganggaran perangkat daerah",
     [("Jumlah dokumen Rencana Kerja dan Anggaran murni dan perubahan yang tersedia",
       "Dokumen RKA murni tahun 2025 dan RKA perubahan tahun 2025",
       "Sub Bagian Perencanaan dan Keuangan"),
      ("Persentase realisasi serapan anggaran berdasarkan SPD yang diterbitkan",
       "Realisasi belanja dibagi pagu anggaran dikali 100%",
       "Laporan realisasi anggaran dan SPJ keuangan")]),
    ("Meningkatnya kualitas pengadaan dan mutasi ASN",
     [("Persentase usulan kenaikan pangkat yang diproses melalui SIASN tepat waktu",
       "Jumlah usulan yang diproses tepat waktu dibagi jumlah usulan yang masuk dikali 100%",
       "Bidang Mutasi dan Promosi"),
      ("Jumlah analisis jabatan dan analisis beban kerja yang disusun",
       "Jumlah dokumen ANJAB dan ABK yang ditetapkan", "Bagian Organisasi")]),
]
TARGETS = ["100%", "4 dokumen", "BB (70)", "12 laporan", "100 %", "Tepat Waktu", "85",
           "1 dokumen", "0 temuan", "B (80)", "95%", "3,50", "20 JP", "2 kali"]

AGENCIES = [
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
     ["BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
      "KABUPATEN KUTAI KARTANEGARA"]),
    ("Badan Kesatuan Bangsa dan Politik", ["BADAN KESATUAN BANGSA DAN POLITIK"]),
    ("Dinas Kesehatan", ["DINAS KESEHATAN", "KABUPATEN CONTOH"]),
    ("Inspektorat Daerah", ["INSPEKTORAT DAERAH"]),
]
JABATAN = ["Kepala Bidang Pengembangan Kompetensi Aparatur", "Sekretaris",
           "Kepala Sub Bagian Umum dan Kepegawaian", "Analis Sumber Daya Manusia Aparatur",
           "Kepala Sub Bagian Perencanaan dan Keuangan", "Pengelola Data Kepegawaian",
           "Kepala Bidang Mutasi dan Promosi", "Penelaah Teknis Kebijakan",
           "Pranata Komputer Ahli Pertama", "Pengadministrasi Perkantoran"]
TUGAS = ("Melaksanakan penyiapan perumusan kebijakan teknis, koordinasi, pembinaan, "
         "pemantauan dan evaluasi di bidang {bidang} sesuai dengan ketentuan Peraturan "
         "Perundang-Undangan yang berlaku")
BIDANG = ["pengembangan kompetensi aparatur", "umum dan kepegawaian", "perencanaan dan keuangan",
          "mutasi dan promosi", "pengelolaan data dan sistem informasi kepegawaian"]
FUNGSI = ["penyusunan rencana kerja dan program di lingkungan {unit}",
          "pelaksanaan koordinasi dan pembinaan teknis sesuai Peraturan Perundang-Undangan",
          "pengelolaan data kepegawaian melalui aplikasi SIASN dan e-Pantau",
          "pelaksanaan monitoring, evaluasi dan pelaporan kinerja",
          "pelaksanaan tugas kedinasan lain yang diberikan oleh pimpinan"]
NAMES = ["SITI RAHMAWATI, S.E", "AGUS PRASETYO, S.Kom", "Drs. BAMBANG WIJAYA, M.Si",
         "NURUL HIDAYAH, S.Sos", "YULIANTI PUTRI, A.Md", "HENDRA GUNAWAN, S.T",
         "RINA MARLINA, S.H., M.H", "MUHAMMAD RIZKY PRATAMA, S.STP", "DEWI ANGGRAINI, S.Pd",
         "FAJAR NUGROHO, S.Kom., M.T"]
PANGKAT = ["Penata (III/c)", "Penata Tingkat I (III/d)", "Penata Muda Tingkat I (III/b)",
           "Pembina (IV/a)", "Pengatur (II/c)"]
ATASAN = [("Kepala Badan", "Dr. H. SUGIANTO WIBOWO, M.Si", "Pembina Utama Muda (IV/c)",
           "NIP. 19700512 199503 1 002"),
          ("Sekretaris", "Ir. HARTONO SUSILO, M.T", "Pembina Tingkat I (IV/b)",
           "NIP. 19720830 199803 1 005"),
          ("Kepala Bidang", "SRI WAHYUNINGSIH, S.Sos., M.AP", "Pembina (IV/a)",
           "NIP. 19760214 200112 2 003")]  # one person, one NIP in every document


def nip(rng: random.Random, woman: bool = False) -> str:
    """A NIP as printed (``NIP. 19880303 201101 2 004``): birth date, start, sex, number."""
    born = f"{rng.randint(1968, 1996)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    start = f"{int(born[:4]) + rng.randint(22, 30)}{rng.randint(1, 12):02d}"
    return f"NIP. {born} {start} {2 if woman else 1} {rng.randint(1, 20):03d}"


def documents(count: int, seed: int, *, groups: tuple[int, int] = (3, 7),
              target: bool = True) -> list[Doc]:
    """``count`` documents with ``groups`` sasaran each (some with several indikator)."""
    rng = random.Random(seed)
    out = []
    for d in range(count):
        agency, heading = AGENCIES[(seed + d) % len(AGENCIES)]
        themes = rng.sample(THEMES, rng.randint(*groups))
        rows = []
        for g, (sasaran, inds) in enumerate(themes, start=1):
            picked = inds[:rng.randint(1, len(inds))]
            rows.append(Group(str(g), sasaran, [
                Ind(i, p, s, rng.choice(TARGETS) if target else "") for i, p, s in picked]))
        jabatan = JABATAN[(seed * 3 + d) % len(JABATAN)]
        bidang = BIDANG[(seed + d) % len(BIDANG)]
        name = NAMES[(seed + d) % len(NAMES)]
        boss = ATASAN[(seed + d) % len(ATASAN)]
        out.append(Doc(
            perangkat_daerah=agency, jabatan=jabatan, tugas=TUGAS.format(bidang=bidang),
            fungsi=[f.format(unit=bidang) for f in rng.sample(FUNGSI, rng.randint(3, 5))],
            groups=rows,
            atasan=Signer(*boss),
            pegawai=Signer(jabatan, name, rng.choice(PANGKAT),
                           nip(rng, woman=name.split()[0] in ("SITI", "NURUL", "YULIANTI",
                                                               "RINA", "DEWI"))),
            heading=heading))
    return out
