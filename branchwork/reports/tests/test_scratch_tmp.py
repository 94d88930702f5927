import cProfile, pstats, sys, time
sys.path.insert(0, "/work/main/bench")
from generate import generate
from branchwork.reports import ledger

def test_bench(db, settings, tmp_path):
    settings.STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}, "staticfiles": settings.STORAGES["staticfiles"]}
    data = generate(branches=1, activities=80, attendees=40, year=2025, photos=True, code="bench-ledger")
    org = data.branches[0]
    lg = ledger.ledger_data(organization=org, year=2025)
    for i in range(2):
        t = time.perf_counter(); ledger.build_docx(lg); print("docx", time.perf_counter() - t)
    pr = cProfile.Profile(); pr.enable(); ledger.build_docx(lg); pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(12)
    for i in range(2):
        t = time.perf_counter(); ledger.build_pdf(lg); print("pdf", time.perf_counter() - t)
