"""Demo data for the marketplace: 165 training institutions, more than 2,000 published courses listed
on the eight platforms of 2020 at each platform's own price, and purchases by the demo participants
whose rupiah totals by platform follow the sales shares the press reported in May 2020.

`step_catalog` runs after the platforms and the waves (participants with funded balances). It is
safe to run again: the catalogue is written once (its institutions' NIBs are fixed by the seed) and
the purchases once (their tokens start with PURCHASE_TOKEN_PREFIX). With `seed_demo --listings N`
it then tops the catalogue up to N listings in total, for the benchmarks: COPY on PostgreSQL,
bulk_create elsewhere, in chunks whose memory does not grow with N.

Everything is deterministic in ctx.seed (random.Random). Catalogue rows are written in bulk
(curation history is not the point of a demo); every rupiah moves through the order services
(enrollment_purchase, enrollment_refund) and so through the ledger.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import NamedTuple, TextIO

from django.db import connection, transaction
from django.utils import timezone

from accounts.demo import PARTICIPANT_EMAIL, DemoContext
from accounts.models import TRAINING_BALANCE, Participant
from accounts.regions import PROVINCES
from platforms.models import Platform

from .models import MAX_PRICE, Category, Course, Enrollment, Institution, Listing, Partnership
from .services import enrollment_complete, enrollment_purchase, enrollment_redeem, enrollment_refund, rating_create

INSTITUTIONS = 165
COURSES = 2_160
PURCHASE_TOKEN_PREFIX = "demo-purchase:"
NIB_PREFIX = "8120"  # NIBs of demo institutions: 8120 and 9 digits (tests' factories use 912…)

# Sales by platform to early May 2020, Rp billion (the sources): 120.47 in all.
SALES_2020 = {
    "skill-academy": 82.99,
    "sisnaker": 13.14,
    "pintaria": 6.89,
    "tokopedia": 6.40,
    "bukalapak": 4.79,
    "sekolahmu": 3.67,
    "maubelajarapa": 1.69,
    "pijar-mahir": 0.90,
}
SALES_SHARES = {slug: value / sum(SALES_2020.values()) for slug, value in SALES_2020.items()}
# How often a course is listed on each platform (Skill Academy carried the widest catalogue).
LISTING_WEIGHTS = {"skill-academy": 30, "sisnaker": 13, "pintaria": 12, "tokopedia": 13, "bukalapak": 11,
                   "sekolahmu": 9, "maubelajarapa": 7, "pijar-mahir": 5}
REF_PREFIX = {"skill-academy": "SA", "sisnaker": "SNK", "pintaria": "PTR", "tokopedia": "TKP", "bukalapak": "BL",
              "sekolahmu": "SKM", "maubelajarapa": "MBA", "pijar-mahir": "PJR"}

# --- Institutions ------------------------------------------------------------------------------

_LPK_WORDS_1 = ("Bina", "Cipta", "Karya", "Mitra", "Insan", "Tunas", "Citra", "Prima", "Dharma", "Widya",
                "Cahaya", "Mutiara", "Harapan", "Cendekia", "Gemilang", "Nusa", "Putra", "Sinar", "Bakti",
                "Satria", "Graha", "Duta", "Permata", "Mandala", "Wahana")
_LPK_WORDS_2 = ("Mandiri", "Utama", "Sejahtera", "Kreatif", "Terampil", "Kencana", "Persada", "Abadi",
                "Nusantara", "Bangsa", "Jaya", "Lestari", "Madani", "Berkarya", "Unggul", "Mulia", "Sentosa",
                "Cemerlang", "Perkasa", "Indonesia")
_UNIVERSITIES = ("Universitas Nusa Bangsa", "Universitas Teknologi Cendekia", "Politeknik Bina Karya",
                 "Universitas Sriwijaya Raya", "Institut Bisnis Nusantara", "Politeknik Pariwisata Mandalika",
                 "Universitas Pelita Timur", "Sekolah Tinggi Ilmu Ekonomi Dharma Putra",
                 "Politeknik Negeri Kreatif", "Universitas Borneo Lestari", "Institut Teknologi Andalas Raya",
                 "Universitas Cendrawasih Mulia")
_ACADEMIES = ("Akademi Digital Kreasi", "Kelas Karier Indonesia", "Sekolah Bisnis Warung Pintar",
              "Akademi Kopi Nusantara", "Dapur Ilmu Academy", "Sekolah Data Cakrawala", "Ruang Terampil",
              "Akademi Logistik Samudra", "Kodekita Academy", "Akademi Salon Ayu", "Studio Desain Rupa",
              "Akademi Perhotelan Bali Dwipa", "Akademi Akuntansi Praktis", "Belajar Jahit Bunda",
              "Akademi Tani Milenial", "Sekolah Barista Senja", "Akademi Otomotif Pratama",
              "Kursus Bahasa Global Link", "Akademi Pemasaran Digital Juara", "Akademi Konten Kreator Nusantara")
_INSTITUTION_FORMS = ("LPK", "LPK", "LPK", "LKP", "LKP", "Lembaga Kursus", "Pusat Pelatihan", "Balai Pelatihan Kerja")
_ACCREDITATION_WEIGHTS = {"A": 35, "B": 35, "C": 10, "none": 20}
# Institutions cluster where the people are (Java, Sumatra, Bali), but every province has some.
_PROVINCE_WEIGHTS = {code: 1.0 for code in PROVINCES} | {"31": 14, "32": 12, "33": 8, "34": 6, "35": 11, "36": 5,
                                                        "12": 4, "16": 2, "51": 3, "73": 3, "64": 2, "18": 2}


class InstitutionSpec(NamedTuple):
    name: str
    nib: str
    province: str
    accreditation: str
    categories: tuple[str, ...]
    weight: float  # relative number of courses


def institution_specs(seed: int) -> list[InstitutionSpec]:
    """INSTITUTIONS distinct institutions, deterministic in `seed`."""
    rng = random.Random(f"catalog-institutions:{seed}")
    names: list[str] = [f"Pusat Pelatihan {u}" if i % 2 else f"Pusat Pengembangan Karier {u}"
                        for i, u in enumerate(_UNIVERSITIES)] + list(_ACADEMIES)
    seen = set(names)
    while len(names) < INSTITUTIONS:
        name = f"{rng.choice(_INSTITUTION_FORMS)} {rng.choice(_LPK_WORDS_1)} {rng.choice(_LPK_WORDS_2)}"
        if name.split(" ", 1)[1] not in {n.split(" ", 1)[1] for n in names} and name not in seen:
            seen.add(name)
            names.append(name)
    rng.shuffle(names)
    categories = [c.value for c in Category]
    nibs = rng.sample(range(10**9), INSTITUTIONS)
    provinces, province_weights = list(_PROVINCE_WEIGHTS), list(_PROVINCE_WEIGHTS.values())
    specs = []
    for i, name in enumerate(names):
        focus = _focus_for(name) or tuple(rng.sample(categories, rng.choice((1, 1, 2, 2, 3))))
        province = list(PROVINCES)[i] if i < len(PROVINCES) else rng.choices(provinces, province_weights)[0]
        specs.append(InstitutionSpec(
            name=name, nib=f"{NIB_PREFIX}{nibs[i]:09d}", province=province,
            accreditation=rng.choices(list(_ACCREDITATION_WEIGHTS), list(_ACCREDITATION_WEIGHTS.values()))[0],
            categories=focus, weight=rng.choice((0.3, 0.6, 1, 1, 1, 1.5, 2, 3))))
    return specs


def _focus_for(name: str) -> tuple[str, ...] | None:
    """Categories that an institution's name promises (a barista school teaches coffee)."""
    hints = (("Kopi", ("food_beverage", "culinary")), ("Barista", ("food_beverage",)), ("Dapur", ("culinary",)),
             ("Salon", ("beauty",)), ("Jahit", ("fashion",)), ("Tani", ("agriculture",)),
             ("Otomotif", ("trades", "driving")), ("Bahasa", ("language",)), ("Perhotelan", ("hospitality",)),
             ("Pariwisata", ("hospitality", "language")), ("Akuntansi", ("finance", "office")),
             ("Desain", ("design",)), ("Data", ("technology",)), ("Kodekita", ("technology",)),
             ("Pemasaran", ("digital_marketing",)), ("Konten", ("digital_marketing", "design")),
             ("Logistik", ("driving", "office")), ("Bisnis", ("business", "digital_marketing", "finance")),
             ("Teknologi", ("technology", "trades")), ("Digital", ("digital_marketing", "technology")))
    for word, categories in hints:
        if word in name:
            return categories
    return None


# --- Courses -----------------------------------------------------------------------------------

# Per category: topics, audiences or angles that fit them, competency outcomes, hours (min, max),
# modes with weights, and a price band in thousands of rupiah (typical low, typical high).
CATALOG: dict[str, dict] = {
    "digital_marketing": dict(
        topics=("Digital Marketing", "Strategi Pemasaran Instagram", "Facebook Ads", "Google Ads",
                "Copywriting untuk Jualan Online", "Menjadi Content Creator", "SEO Website Toko Online",
                "Jualan Online di Marketplace", "Email Marketing", "TikTok Marketing",
                "Personal Branding di Media Sosial",
                "Affiliate Marketing", "Membuat Konten Video Promosi", "Manajemen Media Sosial Bisnis"),
        angles=("untuk Pemula", "untuk UMKM", "Tingkat Lanjut", "dari Nol", "bagi Pelaku Usaha Kuliner",
                "untuk Reseller dan Dropshipper", "Praktis dalam 7 Hari", "untuk Pencari Kerja",
                "Berbasis Data", "untuk Toko Offline yang Go Online"),
        outcomes=("Menyusun rencana pemasaran digital sederhana", "Membuat iklan berbayar dengan anggaran terukur",
                  "Menulis teks promosi yang mendorong pembelian", "Membaca metrik kinerja kampanye",
                  "Mengelola akun media sosial bisnis secara konsisten", "Menentukan target pasar dan persona pembeli"),
        hours=(3, 20), modes={"online": 90, "blended": 10}, price=(100, 650)),
    "business": dict(
        topics=("Memulai Usaha Rumahan", "Manajemen UMKM", "Membuat Rencana Bisnis", "Teknik Negosiasi Bisnis",
                "Kewirausahaan", "Mengelola Franchise", "Manajemen Stok dan Gudang", "Teknik Penjualan",
                "Pelayanan Pelanggan Prima", "Ekspor untuk Pemula", "Mengurus Izin Usaha dan NIB",
                "Strategi Harga Produk", "Membangun Tim Kerja"),
        angles=("untuk Pemula", "bagi Ibu Rumah Tangga", "untuk Korban PHK", "Praktis", "Skala Mikro",
                "untuk Usaha Kuliner", "dengan Modal Kecil", "bagi Pemuda Desa", "Siap Kerja"),
        outcomes=("Menyusun rencana bisnis satu halaman", "Menghitung modal, harga pokok dan titik impas",
                  "Melayani dan mempertahankan pelanggan", "Mengurus perizinan usaha mikro melalui OSS",
                  "Mencatat stok dan arus barang", "Melakukan presentasi penjualan"),
        hours=(4, 24), modes={"online": 80, "blended": 15, "offline": 5}, price=(100, 600)),
    "culinary": dict(
        topics=("Membuat Kue Kering", "Baking Roti Manis", "Membuat Kue Basah Tradisional", "Memasak Masakan Padang",
                "Membuat Frozen Food", "Dekorasi Kue Ulang Tahun", "Membuat Sambal Kemasan", "Catering Rumahan",
                "Membuat Dimsum", "Memasak Masakan Jawa", "Pastry Dasar", "Membuat Brownies dan Bolu",
                "Membuat Minuman Kekinian", "Keamanan Pangan dan Higiene Dapur"),
        angles=("untuk Pemula", "untuk Dijual", "Skala Rumahan", "Tingkat Lanjut", "bagi Ibu Rumah Tangga",
                "dengan Oven Tangkring", "untuk Usaha Online", "Standar Industri", "Tanpa Pengawet"),
        outcomes=("Mengolah bahan sesuai resep standar", "Menghitung harga pokok per porsi",
                  "Menerapkan higiene dan sanitasi dapur", "Mengemas produk pangan agar tahan lama",
                  "Menggunakan peralatan dapur dengan aman", "Mendaftarkan produk ke P-IRT"),
        hours=(4, 30), modes={"online": 60, "blended": 20, "offline": 20}, price=(100, 700)),
    "food_beverage": dict(
        topics=("Barista", "Meracik Kopi Manual Brew", "Latte Art", "Mengelola Kedai Kopi",
                "Pramusaji Restoran", "Bartender Mocktail", "Roasting Biji Kopi", "Meracik Teh dan Minuman Herbal",
                "Manajemen Restoran", "Food and Beverage Service"),
        angles=("untuk Pemula", "Profesional", "Tingkat Lanjut", "Siap Kerja di Kafe", "untuk Membuka Usaha",
                "Bersertifikat Kompetensi", "dari Nol", "Praktik Langsung"),
        outcomes=("Mengoperasikan mesin espresso dengan benar", "Menyeduh kopi dengan metode manual brew",
                  "Melayani tamu sesuai standar restoran", "Menghitung biaya bahan per cangkir",
                  "Merawat peralatan bar", "Membuat menu minuman musiman"),
        hours=(6, 40), modes={"offline": 40, "blended": 35, "online": 25}, price=(200, 900)),
    "driving": dict(
        topics=("Mengemudi Mobil Manual", "Mengemudi Mobil Matic", "Sopir Profesional", "Pengemudi Ojek Daring",
                "Safety Riding Sepeda Motor", "Pengemudi Truk Logistik", "Persiapan Ujian SIM A",
                "Pengemudi Angkutan Umum", "Kurir Pengiriman Barang", "Perawatan Kendaraan Harian"),
        angles=("untuk Pemula", "Siap Kerja", "Bersertifikat", "Tingkat Lanjut", "dan Keselamatan Jalan",
                "untuk Mitra Transportasi Daring", "Praktik di Jalan Raya"),
        outcomes=("Mengemudi dengan aman sesuai aturan lalu lintas", "Memeriksa kendaraan sebelum berangkat",
                  "Menghadapi keadaan darurat di jalan", "Melayani penumpang dengan sopan",
                  "Merencanakan rute pengiriman yang efisien", "Lulus ujian teori dan praktik SIM"),
        hours=(8, 40), modes={"offline": 60, "blended": 30, "online": 10}, price=(300, 1000)),
    "language": dict(
        topics=("Bahasa Inggris Percakapan", "Bahasa Inggris untuk Wawancara Kerja", "Business English",
                "Persiapan TOEFL", "Persiapan IELTS", "Bahasa Jepang Dasar", "Bahasa Korea Dasar",
                "Bahasa Mandarin Dasar", "Bahasa Inggris untuk Pariwisata", "English for Customer Service",
                "Bahasa Jerman Dasar", "Menulis Surat Lamaran dalam Bahasa Inggris"),
        angles=("untuk Pemula", "Tingkat Menengah", "Tingkat Lanjut", "untuk Pekerja Migran", "Siap Kerja",
                "dalam 30 Hari", "dengan Tutor Langsung", "untuk Pencari Kerja"),
        outcomes=("Berkomunikasi lisan dalam situasi kerja sehari-hari", "Memperkenalkan diri dalam wawancara kerja",
                  "Menulis email kerja yang jelas", "Memahami percakapan pelanggan",
                  "Menguasai kosakata dasar bidang kerja", "Membaca dokumen kerja sederhana"),
        hours=(6, 36), modes={"online": 75, "blended": 20, "offline": 5}, price=(100, 800)),
    "finance": dict(
        topics=("Akuntansi Dasar", "Pembukuan UMKM", "Laporan Keuangan Sederhana", "Perpajakan Brevet A dan B",
                "Microsoft Excel untuk Akuntansi", "Aplikasi Akuntansi Accurate", "Perencanaan Keuangan Keluarga",
                "Mengisi SPT Tahunan", "Analisis Laporan Keuangan", "Menjadi Kasir Profesional",
                "Penggajian dan BPJS"),
        angles=("untuk Pemula", "untuk UMKM", "Tingkat Lanjut", "Praktis", "Siap Kerja", "dengan Studi Kasus",
                "bagi Pelaku Usaha Online", "Bersertifikat"),
        outcomes=("Mencatat transaksi dalam jurnal umum", "Menyusun neraca dan laporan laba rugi",
                  "Menghitung dan melaporkan pajak usaha", "Mengelola arus kas harian",
                  "Menggunakan aplikasi akuntansi", "Menyusun anggaran bulanan"),
        hours=(6, 32), modes={"online": 80, "blended": 15, "offline": 5}, price=(150, 800)),
    "fashion": dict(
        topics=("Menjahit Pakaian Wanita", "Menjahit Dasar", "Membuat Pola Busana", "Desain Busana Muslim",
                "Bordir Mesin", "Membuat Masker Kain dan APD", "Konveksi Rumahan", "Membatik Tulis dan Cap",
                "Sablon Kaos", "Merajut dan Menyulam", "Permak Pakaian"),
        angles=("untuk Pemula", "Tingkat Lanjut", "untuk Usaha Rumahan", "Siap Kerja di Garmen", "dari Nol",
                "Praktik Langsung", "bagi Ibu Rumah Tangga"),
        outcomes=("Mengoperasikan mesin jahit dengan aman", "Membuat pola dasar sesuai ukuran",
                  "Menjahit busana dengan rapi", "Menghitung kebutuhan bahan",
                  "Menyelesaikan pesanan konveksi tepat waktu", "Memasarkan produk busana"),
        hours=(8, 40), modes={"offline": 40, "blended": 35, "online": 25}, price=(150, 900)),
    "technology": dict(
        topics=("Pemrograman Python", "Membuat Website dengan HTML dan CSS", "Pemrograman Web PHP dan MySQL",
                "Aplikasi Android dengan Kotlin", "Data Analyst", "Microsoft Excel Tingkat Lanjut", "Jaringan Komputer",
                "Teknisi Komputer dan Laptop", "Keamanan Siber", "JavaScript", "UI/UX Design", "Cloud Computing",
                "Perbaikan Telepon Genggam", "Pengenalan Kecerdasan Buatan"),
        angles=("untuk Pemula", "Tingkat Menengah", "Tingkat Lanjut", "dari Nol", "Siap Kerja", "dengan Proyek Nyata",
                "Bootcamp Singkat", "untuk Non-IT"),
        outcomes=("Menulis program sederhana yang berjalan", "Membangun halaman web responsif",
                  "Mengolah dan memvisualisasikan data", "Memasang dan merawat jaringan kantor kecil",
                  "Menerapkan praktik keamanan dasar", "Menyusun portofolio proyek"),
        hours=(6, 48), modes={"online": 85, "blended": 10, "offline": 5}, price=(150, 1000)),
    "design": dict(
        topics=("Desain Grafis dengan Canva", "Adobe Photoshop", "Adobe Illustrator", "Fotografi Produk",
                "Editing Video dengan Smartphone", "Desain Logo dan Identitas Merek", "Animasi 2D",
                "Fotografi dengan Ponsel", "Desain Kemasan Produk", "Videografi Pernikahan"),
        angles=("untuk Pemula", "untuk UMKM", "Tingkat Lanjut", "untuk Jualan Online", "Siap Kerja Freelance",
                "dari Nol", "Praktis"),
        outcomes=("Membuat materi promosi visual", "Mengedit foto produk yang menarik",
                  "Menyusun identitas visual merek", "Menyunting video pendek untuk media sosial",
                  "Menyiapkan berkas siap cetak", "Membangun portofolio desain"),
        hours=(4, 30), modes={"online": 85, "blended": 15}, price=(100, 750)),
    "office": dict(
        topics=("Microsoft Office", "Administrasi Perkantoran", "Sekretaris Profesional", "Mengetik Cepat 10 Jari",
                "Kearsipan Digital", "Customer Service", "Public Speaking", "Menulis CV dan Surat Lamaran",
                "Teknik Wawancara Kerja", "Google Workspace untuk Kantor", "Manajemen Waktu dan Produktivitas",
                "Resepsionis"),
        angles=("untuk Pemula", "Siap Kerja", "untuk Fresh Graduate", "Tingkat Lanjut", "Praktis",
                "untuk Pencari Kerja", "Bersertifikat"),
        outcomes=("Membuat dokumen dan surat kantor yang rapi", "Mengelola arsip dan jadwal",
                  "Melayani telepon dan tamu dengan profesional", "Menyusun CV yang menonjol",
                  "Berbicara di depan umum dengan percaya diri", "Menggunakan spreadsheet untuk pekerjaan harian"),
        hours=(3, 24), modes={"online": 85, "blended": 10, "offline": 5}, price=(100, 550)),
    "hospitality": dict(
        topics=("Housekeeping Hotel", "Front Office Hotel", "Pemandu Wisata", "Pengelolaan Homestay",
                "Pramugari dan Awak Kabin", "Pelayanan Spa", "Event Organizer", "Pengelolaan Desa Wisata",
                "Tour and Travel", "Room Attendant"),
        angles=("untuk Pemula", "Siap Kerja", "Standar Internasional", "Bersertifikat Kompetensi",
                "Tingkat Lanjut", "untuk Kapal Pesiar"),
        outcomes=("Melayani tamu sesuai standar hotel", "Menangani pemesanan dan check-in",
                  "Menyiapkan kamar tamu sesuai standar", "Memandu wisatawan dengan informatif",
                  "Mengelola keluhan tamu", "Mempromosikan destinasi wisata"),
        hours=(6, 40), modes={"online": 50, "blended": 30, "offline": 20}, price=(150, 900)),
    "beauty": dict(
        topics=("Tata Rias Pengantin", "Make Up Artist", "Potong Rambut Pria (Barber)", "Tata Rambut Wanita",
                "Perawatan Kuku dan Nail Art", "Merias Wajah Sehari-hari", "Pijat Refleksi", "Eyelash Extension",
                "Perawatan Kulit Wajah", "Hijab Styling"),
        angles=("untuk Pemula", "Profesional", "Tingkat Lanjut", "untuk Membuka Salon", "Siap Kerja",
                "Bersertifikat", "Praktik Langsung"),
        outcomes=("Merias sesuai karakter wajah", "Menggunakan alat dan produk kecantikan dengan higienis",
                  "Memotong rambut sesuai model", "Menetapkan harga jasa",
                  "Melayani klien salon dengan ramah", "Memasarkan jasa kecantikan"),
        hours=(6, 40), modes={"offline": 35, "blended": 35, "online": 30}, price=(150, 900)),
    "agriculture": dict(
        topics=("Budidaya Hidroponik", "Budidaya Ikan Lele", "Budidaya Ikan Nila", "Beternak Ayam Kampung",
                "Pertanian Organik", "Budidaya Jamur Tiram", "Budidaya Cabai", "Membuat Pupuk Kompos",
                "Budidaya Maggot BSF", "Beternak Kambing", "Pengolahan Hasil Perikanan", "Urban Farming"),
        angles=("untuk Pemula", "Skala Rumahan", "dengan Lahan Sempit", "untuk Petani Milenial", "Modern",
                "untuk Usaha", "Tingkat Lanjut"),
        outcomes=("Menyiapkan media dan bibit", "Merawat tanaman atau ternak hingga panen",
                  "Mengendalikan hama dan penyakit", "Menghitung biaya produksi dan keuntungan",
                  "Mengolah hasil panen agar bernilai tambah", "Memasarkan hasil panen"),
        hours=(4, 30), modes={"online": 55, "blended": 30, "offline": 15}, price=(100, 650)),
    "trades": dict(
        topics=("Teknisi AC", "Instalasi Listrik Rumah", "Pengelasan (Welding)", "Mekanik Sepeda Motor",
                "Mekanik Mobil", "Tukang Bangunan", "Teknisi Panel Surya", "Servis Elektronik Rumah Tangga",
                "Plambing dan Sanitasi", "Operator Forklift", "K3 (Keselamatan dan Kesehatan Kerja)",
                "Desain Interior Rumah"),
        angles=("untuk Pemula", "Siap Kerja", "Bersertifikat Kompetensi", "Tingkat Lanjut", "Praktik Langsung",
                "untuk Membuka Bengkel", "Standar Industri"),
        outcomes=("Menggunakan alat kerja dengan aman", "Menerapkan prosedur K3",
                  "Mendiagnosis kerusakan umum", "Melakukan perawatan berkala",
                  "Membaca gambar kerja sederhana", "Memperkirakan biaya jasa dan bahan"),
        hours=(8, 48), modes={"offline": 45, "blended": 35, "online": 20}, price=(200, 1000)),
}
assert set(CATALOG) == {c.value for c in Category}
# Angles that fit any course, so that the demo's 2,000+ courses carry mostly distinct titles.
GENERAL_ANGLES = ("Kelas Intensif", "Kelas Akhir Pekan", "untuk Generasi Muda", "Panduan Lengkap", "Jalur Cepat",
                  "Berbasis Praktik", "untuk Lulusan SMA/SMK")

_OPENINGS = (
    "Pelatihan {topic} ini dirancang bagi peserta Kartu Prakerja yang ingin {goal}.",
    "Dalam kelas ini Anda belajar {topic} langkah demi langkah bersama instruktur berpengalaman.",
    "Ingin {goal}? Kelas {topic} ini membekali Anda dengan keterampilan yang dicari industri.",
    "Kelas {topic} dari {institution} untuk Anda yang ingin {goal}.",
)
_GOALS = ("membuka usaha sendiri", "mendapatkan pekerjaan baru", "meningkatkan penghasilan",
          "berpindah karier", "menambah keahlian yang dibutuhkan di tempat kerja", "bekerja lepas (freelance)")
_MIDDLES = (
    "Materi disusun dari dasar hingga praktik, dengan video, modul unduhan dan tugas mandiri.",
    "Setiap sesi diakhiri kuis dan tugas praktik yang dinilai instruktur.",
    "Kelas berlangsung interaktif: Anda dapat bertanya langsung kepada instruktur di setiap sesi.",
    "Materi mengikuti Standar Kompetensi Kerja Nasional Indonesia (SKKNI) untuk bidang ini.",
    "Tersedia studi kasus nyata dari pelaku usaha dan praktisi industri.",
)
_CLOSINGS = (
    "Peserta yang menyelesaikan seluruh materi dan lulus ujian akhir mendapat sertifikat.",
    "Sertifikat diberikan setelah seluruh sesi diikuti dan tugas akhir dinilai.",
    "Cocok untuk pemula; tidak diperlukan pengalaman sebelumnya.",
    "Dilengkapi forum diskusi alumni untuk berbagi peluang kerja.",
)
_LEVEL_BY_ANGLE = {"Tingkat Lanjut": "advanced", "Tingkat Menengah": "intermediate", "Profesional": "intermediate",
                   "Standar Industri": "intermediate", "Standar Internasional": "intermediate"}


class CourseSpec(NamedTuple):
    institution_id: int
    title: str
    description: str
    category: str
    level: str
    hours: int
    mode: str
    language: str
    competency_outcomes: str
    published_at: dt.datetime
    listings: tuple[tuple[int, int, str], ...]  # (platform id, price, external ref)


class CatalogGenerator:
    """Courses and their listings, one after another, from one random.Random."""

    def __init__(self, *, rng: random.Random, institutions: Sequence[tuple[int, str, tuple[str, ...], float]],
                 platforms: dict[str, int], now: dt.datetime):
        self.rng = rng
        self.institutions = institutions  # (id, name, categories, weight)
        self.inst_weights = [w for *_, w in institutions]
        self.platform_slugs = list(LISTING_WEIGHTS)
        self.platform_ids = platforms
        self.platform_weights = list(LISTING_WEIGHTS.values())
        self.now = now
        self.serial = 0
        # A shuffled pool of (topic, angle) titles per category: distinct until a pool runs out.
        self.pools: dict[str, list[tuple[str, str]]] = {}

    def _title(self, category: str) -> tuple[str, str, str]:
        pool = self.pools.get(category)
        if not pool:
            spec = CATALOG[category]
            angles = ("",) + spec["angles"] + tuple(a for a in GENERAL_ANGLES if a not in spec["angles"])
            pool = [(t, a) for t in spec["topics"] for a in angles]
            self.rng.shuffle(pool)
            self.pools[category] = pool
        topic, angle = pool.pop()
        return (f"{topic} {angle}" if angle else topic), topic, angle

    def course(self, institution: tuple[int, str, tuple[str, ...], float] | None = None) -> CourseSpec:
        rng = self.rng
        inst_id, inst_name, categories, _ = institution or rng.choices(self.institutions, self.inst_weights)[0]
        category = rng.choice(categories)
        spec = CATALOG[category]
        title, topic, angle = self._title(category)
        level = _LEVEL_BY_ANGLE.get(angle) or rng.choices(("beginner", "intermediate", "advanced"), (70, 22, 8))[0]
        mode = rng.choices(list(spec["modes"]), list(spec["modes"].values()))[0]
        low, high = spec["hours"]
        hours = rng.randint(low, high) if mode == "online" else rng.randint((low + high) // 2, high + 8)
        english = category == "language" and (topic.startswith(("Business English", "English", "Persiapan"))
                                              and rng.random() < 0.6)
        description = " ".join((
            rng.choice(_OPENINGS).format(topic=topic, goal=rng.choice(_GOALS), institution=inst_name),
            rng.choice(_MIDDLES), rng.choice(_CLOSINGS)))
        outcomes = "\n".join(rng.sample(spec["outcomes"], rng.randint(3, 4)))
        published_at = self.now - dt.timedelta(days=rng.uniform(1, 400))
        return CourseSpec(inst_id, title[:200], description, category, level, hours, mode,
                          "en" if english else "id", outcomes, published_at,
                          self.listings(spec["price"], rng.choices((1, 2, 3), (40, 35, 25))[0]))

    def listings(self, band: tuple[int, int], count: int) -> tuple[tuple[int, int, str], ...]:
        """`count` platforms (weighted, distinct) at distinct prices around one base price."""
        rng = self.rng
        slugs: list[str] = []
        while len(slugs) < count:
            slug = rng.choices(self.platform_slugs, self.platform_weights)[0]
            if slug not in slugs:
                slugs.append(slug)
        roll = rng.random()
        if roll < 0.08:  # a cheap short course
            base = rng.randint(20, 99) * 1_000
        elif roll < 0.92:
            base = rng.randint(*band) * 1_000
        else:
            base = rng.randint(band[1], 1_000) * 1_000
        prices: list[int] = []
        for _ in slugs:
            price = round(base * rng.uniform(0.85, 1.2) / 1_000) * 1_000
            price = min(max(price, 1_000), MAX_PRICE)
            step = -1_000 if price > MAX_PRICE - 10_000 else 1_000
            while price in prices:  # the same course costs something else on each platform
                price += step
            prices.append(price)
        self.serial += 1
        return tuple((self.platform_ids[slug], price, f"{REF_PREFIX[slug]}-{self.serial:06d}-{i + 1}")
                     for i, (slug, price) in enumerate(zip(slugs, prices)))


# --- The step ----------------------------------------------------------------------------------

def step_catalog(ctx: DemoContext) -> None:
    """Institutions, courses, listings and partnerships; then the demo purchases; then the top-up
    to ctx.listings listings if asked."""
    seed_catalog(seed=ctx.seed, stdout=ctx.stdout)
    seed_purchases(seed=ctx.seed, stdout=ctx.stdout)
    if ctx.listings is not None:
        seed_listings(target=ctx.listings, seed=ctx.seed, stdout=ctx.stdout)


def _platform_ids() -> dict[str, int]:
    platforms = dict(Platform.objects.filter(slug__in=list(SALES_2020)).values_list("slug", "id"))
    missing = set(SALES_2020) - set(platforms)
    if missing:
        raise RuntimeError(f"The platforms step must run first (missing: {', '.join(sorted(missing))}).")
    return platforms


@transaction.atomic
def seed_catalog(*, seed: int, stdout: TextIO) -> int:
    """The demo catalogue, once; returns the number of courses created."""
    specs = institution_specs(seed)
    if Institution.objects.filter(legal_entity_number=specs[0].nib).exists():
        stdout.write(f"Catalogue: {Institution.objects.count()} institutions, {Course.objects.count():,} courses, "
                     f"{Listing.objects.count():,} listings already there.\n")
        return 0
    platforms = _platform_ids()
    now = timezone.now()
    rng = random.Random(f"catalog-courses:{seed}")
    Institution.objects.bulk_create([
        Institution(name=s.name, legal_entity_number=s.nib, province=s.province, accreditation=s.accreditation,
                    status=Institution.Status.ACTIVE, curation_reason="Dokumen legalitas dan kurikulum lengkap.",
                    created_at=now - dt.timedelta(days=rng.randint(400, 900)))
        for s in specs])
    by_nib = dict(Institution.objects.filter(legal_entity_number__in=[s.nib for s in specs])
                  .values_list("legal_entity_number", "id"))
    institutions = [(by_nib[s.nib], s.name, s.categories, s.weight) for s in specs]
    generator = CatalogGenerator(rng=rng, institutions=institutions, platforms=platforms, now=now)
    # Every institution has at least three courses; the rest go by each one's size.
    courses = [generator.course(inst) for inst in institutions for _ in range(3)]
    courses += [generator.course() for _ in range(COURSES - len(courses))]
    _write_orm(courses, now=now)
    stdout.write(f"Catalogue: {len(institutions)} institutions, {len(courses):,} courses, "
                 f"{Listing.objects.count():,} listings on {len(platforms)} platforms.\n")
    return len(courses)


def _course_model(c: CourseSpec, now: dt.datetime) -> Course:
    return Course(institution_id=c.institution_id, title=c.title, description=c.description, category=c.category,
                  level=c.level, hours=c.hours, mode=c.mode, language=c.language,
                  competency_outcomes=c.competency_outcomes, status=Course.Status.PUBLISHED,
                  curation_reason="Kurikulum sesuai standar kompetensi.", created_at=c.published_at,
                  published_at=c.published_at)


def _write_orm(specs: list[CourseSpec], *, now: dt.datetime) -> None:
    """bulk_create the courses, their listings and any partnership they need (approved)."""
    created = Course.objects.bulk_create([_course_model(c, now) for c in specs])
    if any(c.pk is None for c in created):  # a backend without RETURNING: read the ids back
        created = list(Course.objects.order_by("-pk")[:len(specs)])[::-1]
    Listing.objects.bulk_create([
        Listing(course_id=course.pk, platform_id=platform_id, price=price, external_ref=ref,
                created_at=spec.published_at, updated_at=spec.published_at)
        for course, spec in zip(created, specs) for platform_id, price, ref in spec.listings])
    _partnerships_ensure({(pid, spec.institution_id) for spec in specs for pid, _, _ in spec.listings}, now=now)


def _partnerships_ensure(pairs: set[tuple[int, int]], *, now: dt.datetime) -> None:
    existing = set(Partnership.objects.values_list("platform_id", "institution_id"))
    Partnership.objects.bulk_create([
        Partnership(platform_id=p, institution_id=i, status=Partnership.Status.APPROVED,
                    curation_reason="Kerja sama disetujui Manajemen Pelaksana.", created_at=now)
        for p, i in sorted(pairs - existing)])


# --- Purchases ---------------------------------------------------------------------------------

REVIEWS = {
    5: ("Materinya lengkap dan mudah dipahami. Sangat bermanfaat untuk usaha saya.",
        "Instruktur menjelaskan dengan sabar, praktiknya langsung bisa diterapkan.",
        "Sangat puas, sekarang saya berani membuka usaha sendiri.",
        "Kelas yang bagus, sertifikatnya juga membantu saat melamar kerja."),
    4: ("Bagus dan praktis, hanya saja videonya kadang kurang jelas.",
        "Materi cukup lengkap, semoga ada kelas lanjutannya.",
        "Bermanfaat, tapi tugasnya agak banyak untuk waktu yang singkat."),
    3: ("Lumayan, tapi sebagian materi terlalu dasar untuk saya.",
        "Cukup membantu, sayangnya sesi tanya jawab terbatas."),
    2: ("Materi kurang sesuai dengan judul kelas.",),
    1: ("Video sering tidak bisa diputar dan tidak ada tanggapan dari admin.",),
}
REFUND_REASONS = ("Peserta salah memilih kelas sebelum kode penukaran dipakai.",
                  "Jadwal kelas luring tidak sesuai dengan domisili peserta.",
                  "Pembelian ganda dari dua perangkat; satu dibatalkan atas permintaan peserta.")


class Purchase(NamedTuple):
    participant_id: int
    listing_id: int
    token: str
    fate: str  # "purchased", "redeemed", "completed", "rated", "refunded"
    stars: int


def _share_error(totals: dict[int, int], shares: dict[int, float]) -> float:
    total = sum(totals.values()) or 1
    return sum((totals[p] / total - s) ** 2 for p, s in shares.items())


def plan_purchases(*, seed: int, participants: Sequence[int], demo_participant: int | None,
                   listings: Sequence[tuple[int, int, int, int]], shares: dict[int, float],
                   balance: int = TRAINING_BALANCE) -> list[Purchase]:
    """Who buys what, in order, deterministic in the arguments.

    listings: (listing id, course id, platform id, price). Each bulk participant spends part or most
    of the balance on one to four courses; each sale goes to the platform furthest below its share
    (net of refunds), at a course drawn at random among those the buyer can afford there, so the
    totals follow `shares` within about one course price, whatever the number of participants. The demo participant
    buys one cheap course and keeps the rest of the balance to try the catalogue."""
    rng = random.Random(f"catalog-purchases:{seed}")
    totals = {p: 0 for p in shares}
    by_platform: dict[int, list[tuple[int, int, int, int]]] = {}
    for row in listings:
        by_platform.setdefault(row[2], []).append(row)
    platforms = sorted(by_platform)
    plan: list[Purchase] = []

    def token() -> str:
        return f"{PURCHASE_TOKEN_PREFIX}{seed}:{len(plan) + 1}"

    def fate() -> tuple[str, int]:
        roll = rng.random()
        stars = rng.choices((5, 4, 3, 2, 1), (50, 30, 12, 5, 3))[0]
        if roll < 0.35:
            return "purchased", 0
        if roll < 0.50:
            return "redeemed", 0
        if roll < 0.62:
            return "completed", 0
        return "rated", stars

    def best(remaining: int, owned: set[int]) -> tuple[int, int, int, int] | None:
        # The platform furthest below its share gets the sale; the buyer picks any affordable course there.
        grand = sum(totals.values())
        for platform in sorted(platforms, key=lambda p: totals[p] - shares[p] * (grand + 500_000)):
            pool = by_platform[platform]
            for _ in range(40):
                row = pool[rng.randrange(len(pool))]
                if row[3] <= remaining and row[1] not in owned:
                    return row
        return None

    if demo_participant is not None:
        cheap = sorted((r for r in listings if 100_000 <= r[3] <= 200_000), key=lambda r: (r[3], r[0]))
        if cheap:
            row = cheap[rng.randrange(min(len(cheap), 50))]
            plan.append(Purchase(demo_participant, row[0], token(), "completed", 0))
            totals[row[2]] += row[3]
    for participant in participants:
        roll = rng.random()
        if roll < 0.08:  # selected, not bought yet (the 30-day clock is running)
            continue
        wanted = rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0]
        remaining, owned = balance, set()
        if rng.random() < 0.04:  # bought, then asked for a refund before redeeming
            row = best(remaining, owned)
            if row is not None:
                plan.append(Purchase(participant, row[0], token(), "refunded", 0))
        for _ in range(wanted):
            row = best(remaining, owned)
            if row is None:
                break
            plan.append(Purchase(participant, row[0], token(), *fate()))
            remaining -= row[3]
            owned.add(row[1])
            totals[row[2]] += row[3]
    return plan


def seed_purchases(*, seed: int, stdout: TextIO) -> int:
    """The demo purchases, once, through the order services; returns how many were made."""
    done = Enrollment.objects.filter(purchase_token__startswith=PURCHASE_TOKEN_PREFIX).count()
    if done:
        stdout.write(f"Purchases: {done:,} demo purchases already there.\n")
        return 0
    platforms = _platform_ids()
    shares = {platforms[slug]: share for slug, share in SALES_SHARES.items()}
    participants = list(Participant.objects.filter(status=Participant.Status.ACTIVE)
                        .order_by("pk").values_list("pk", "profile__user__email"))
    demo = next((pk for pk, email in participants if email == PARTICIPANT_EMAIL), None)
    bulk = [pk for pk, email in participants if email != PARTICIPANT_EMAIL]
    listings = list(Listing.objects.filter(is_active=True, platform__status__in=Platform.SELLING,
                                           course__status=Course.Status.PUBLISHED,
                                           course__institution__status=Institution.Status.ACTIVE)
                    .order_by("pk").values_list("pk", "course_id", "platform_id", "price"))
    if not participants or not listings:
        stdout.write("Purchases: no participants with a balance yet, none made.\n")
        return 0
    plan = plan_purchases(seed=seed, participants=bulk, demo_participant=demo, listings=listings, shares=shares)
    started = time.perf_counter()
    with transaction.atomic():  # all or nothing: a second run sees either every purchase or none
        _execute(plan, seed=seed)
    totals = _totals_by_slug()
    grand = sum(totals.values()) or 1
    stdout.write(f"Purchases: {len(plan):,} by {len({p.participant_id for p in plan}):,} participants, "
                 f"Rp{grand:,} in {time.perf_counter() - started:.1f}s; by platform: "
                 + ", ".join(f"{slug} {100 * totals.get(slug, 0) / grand:.1f}%" for slug in SALES_2020) + "\n")
    return len(plan)


def _totals_by_slug() -> dict[str, int]:
    """Rupiah sold per platform slug, refunds excluded."""
    from django.db.models import Sum

    rows = (Enrollment.objects.exclude(status=Enrollment.Status.REFUNDED)
            .values_list("platform__slug").annotate(total=Sum("price")))
    return dict(rows)


def _execute(plan: list[Purchase], *, seed: int) -> None:
    rng = random.Random(f"catalog-fates:{seed}")
    participants = Participant.objects.in_bulk({p.participant_id for p in plan})
    listings = Listing.objects.select_related("platform").in_bulk({p.listing_id for p in plan})
    today = timezone.localdate()
    certificates: Counter[str] = Counter()
    for item in plan:
        participant, listing = participants[item.participant_id], listings[item.listing_id]
        enrollment = enrollment_purchase(participant=participant, listing=listing, token=item.token)
        if item.fate == "refunded":
            enrollment_refund(enrollment=enrollment, reason=rng.choice(REFUND_REASONS), by_platform=listing.platform)
            continue
        if item.fate == "purchased":
            continue
        enrollment = enrollment_redeem(enrollment=enrollment, by_platform=listing.platform)
        if item.fate == "redeemed":
            continue
        prefix = REF_PREFIX.get(listing.platform.slug, "CRT")
        certificates[prefix] += 1
        enrollment = enrollment_complete(enrollment=enrollment, by_platform=listing.platform, completed_on=today,
                                         certificate_number=f"{prefix}/{today:%Y}/{certificates[prefix]:06d}")
        if item.fate == "rated":
            rating_create(enrollment=enrollment, participant=participant, stars=item.stars,
                          review=rng.choice(REVIEWS[item.stars]) if rng.random() < 0.8 else "")


# --- Top-up for benchmarks ---------------------------------------------------------------------

TOPUP_CHUNK = 20_000  # listings per transaction

COURSE_COLUMNS = ("id", "institution_id", "title", "description", "category", "level", "hours", "mode", "language",
                  "competency_outcomes", "status", "curation_reason", "created_at", "published_at", "sales_count",
                  "rating_count", "rating_sum")
LISTING_COLUMNS = ("course_id", "platform_id", "price", "is_active", "external_ref", "sales_count", "created_at",
                   "updated_at")


def _topup_specs(generator: CatalogGenerator, count: int) -> Iterator[CourseSpec]:
    """Courses whose listings add up to exactly `count` (the last one is cut short if need be)."""
    left = count
    while left > 0:
        spec = generator.course()
        if len(spec.listings) > left:
            spec = spec._replace(listings=spec.listings[:left])
        left -= len(spec.listings)
        yield spec


def seed_listings(*, target: int, seed: int, stdout: TextIO, chunk: int = TOPUP_CHUNK) -> int:
    """Top the catalogue up to `target` listings in all with more demo courses (1–3 listings each);
    returns how many listings were added. PostgreSQL: COPY; elsewhere: bulk_create."""
    existing = Listing.objects.count()
    if target <= existing:
        stdout.write(f"Listings: {existing:,} already there (target {target:,}).\n")
        return 0
    missing = target - existing
    platforms = _platform_ids()
    now = timezone.now()
    nibs = [s.nib for s in institution_specs(seed)]
    categories = {s.nib: s for s in institution_specs(seed)}
    rows = Institution.objects.filter(legal_entity_number__in=nibs).values_list("pk", "name", "legal_entity_number")
    institutions = [(pk, name, categories[nib].categories, categories[nib].weight) for pk, name, nib in rows]
    # A different stream per starting point: a top-up from another count is new courses, not a replay.
    generator = CatalogGenerator(rng=random.Random(f"catalog-topup:{seed}:{existing}"), institutions=institutions,
                                 platforms=platforms, now=now)
    generator.serial = Course.objects.count() + 1_000_000
    postgres = connection.vendor == "postgresql"
    started, written = time.perf_counter(), 0
    specs = _topup_specs(generator, missing)
    while written < missing:
        batch, n = [], 0
        for spec in specs:
            batch.append(spec)
            n += len(spec.listings)
            if n >= chunk:
                break
        with transaction.atomic():
            if postgres:
                _write_copy(batch, now=now)
            else:
                _write_orm(batch, now=now)
        written += n
        elapsed = time.perf_counter() - started
        stdout.write(f"Listings: {written:,}/{missing:,} written, {written / elapsed:,.0f} listings/s\n")
    if postgres:
        # Fresh statistics for every table the catalog page joins: with the planner still thinking
        # the catalogue is a few rows, the first page takes a second instead of milliseconds.
        # VACUUM also sets the visibility map, which index-only scans need; not inside a transaction.
        # The whole database: the search triggers also fill tables of their own.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return written


def _write_copy(specs: list[CourseSpec], *, now: dt.datetime) -> None:
    from accounts.demo import copy_rows

    course_table, listing_table = Course._meta.db_table, Listing._meta.db_table
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [course_table, len(specs)])
        ids = [row[0] for row in cursor.fetchall()]
        copy_rows(cursor, course_table, COURSE_COLUMNS, (
            (cid, c.institution_id, c.title, c.description, c.category, c.level, c.hours, c.mode, c.language,
             c.competency_outcomes, Course.Status.PUBLISHED.value, "", c.published_at, c.published_at, 0, 0, 0)
            for cid, c in zip(ids, specs)))
        copy_rows(cursor, listing_table, LISTING_COLUMNS, (
            (cid, platform_id, price, True, ref, 0, c.published_at, c.published_at)
            for cid, c in zip(ids, specs) for platform_id, price, ref in c.listings))
    _partnerships_ensure({(pid, c.institution_id) for c in specs for pid, _, _ in c.listings}, now=now)
