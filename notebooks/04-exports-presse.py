# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Exports pour la presse : un département
#
# Cartes prêtes à imprimer (PNG 300 dpi, SVG, PDF) et carte web légère d'un
# département, en une cellule. Changez le code du département dans la cellule
# de paramètres ci-dessous.
#
# **Données fictives – démonstration** : chaque fichier exporté porte la mention.

# %% tags=["parameters"]
DEPARTEMENT = "34"

# %%
import pacte_analysis as pa

DEMO = True
resultat = pa.ingest(pa.raw_dir() / "demo")
listes, engagements = resultat.lists, resultat.commitments
sortie = pa.processed_dir() / "presse" / DEPARTEMENT
sortie.mkdir(parents=True, exist_ok=True)
nom = pa.departements(resolution="web").set_index("code").loc[DEPARTEMENT, "name"]
print(
    f"Département {DEPARTEMENT} – {nom} : {(listes['departement_code'] == DEPARTEMENT).sum()} listes"
)

# %% [markdown]
# ## Une carte, quatre formats
#
# `pa.draw_map` calcule l'indicateur, joint les contours (simplifiés pour
# l'impression, plus légers pour le web) et écrit le fichier selon son extension.

# %%
fichiers = []
for extension in (".png", ".svg", ".pdf", ".html"):
    fichiers.append(
        pa.draw_map(
            listes,
            engagements,
            sortie / f"communes-{DEPARTEMENT}{extension}",
            metric="status",
            level="commune",
            departement=DEPARTEMENT,
            demo=DEMO,
            source="Source : suivis fictifs de démonstration",
        )
    )
{f.name: f.stat().st_size for f in fichiers}

# %% tags=["figure"]
from IPython.display import Image

Image(filename=str(fichiers[0]), width=700)

# %% [markdown]
# ## Et la France entière, par département
#
# La même commande sans `departement` dessine la France avec les DROM rapprochés.

# %% tags=["figure"]
national = pa.draw_map(
    listes,
    engagements,
    sortie / "france-departements.png",
    metric="share_population_signatory",
    level="departement",
    demo=DEMO,
)
Image(filename=str(national), width=700)

# %% [markdown]
# ## Un tableau pour Datawrapper ou Flourish
#
# `pa.export_csv` écrit un CSV propre : intitulés français des colonnes (avec leur
# unité), valeurs arrondies, codes gardés en texte (« 01 », « 2A »), une ligne
# « France entière ». Relu avec `pa.read_csv`, les codes restent du texte.

# %%
communes = pa.communes(resolution="web").drop(columns="geometry")
par_departement = pa.territory_summary(listes, engagements, communes, total=True)
tableau = pa.export_csv(par_departement, sortie / "departements.csv")
pa.read_csv(tableau).head(3)

# %% [markdown]
# En ligne de commande, le même export s'écrit :
#
# ```sh
# pacte ingest data/raw/demo --out data/processed/demo
# pacte map --data data/processed/demo --level commune --metric status \
#     --departement 34 --out communes-34.pdf
# pacte export --data data/processed/demo --level departement --out departements.csv
# ```
