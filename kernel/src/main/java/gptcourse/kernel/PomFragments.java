package gptcourse.kernel;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * Makes a whole POM from what a {@code %%loadFromPOM} cell holds, as IJava does: a whole
 * {@code <project>} is used as it is; otherwise the loose {@code <dependency>} and
 * {@code <repository>} elements and the children of {@code <dependencies>} and
 * {@code <repositories>} are collected into one (the snippets READMEs give to copy and paste).
 * Doctypes and external entities are refused (the text comes from a notebook).
 */
final class PomFragments {
    private static final Set<String> IGNORED = Set.of("modelVersion", "groupId", "artifactId", "version", "packaging",
            "name", "description");

    private PomFragments() {
    }

    /**
     * @param body the cell's text
     * @return a POM's XML
     * @throws IllegalArgumentException naming what can't be used
     */
    static String toPom(String body) throws Exception {
        String text = body.strip();
        if (text.isEmpty()) throw new IllegalArgumentException("the cell has no <dependency> to load");
        text = text.replaceFirst("^<\\?xml[^>]*\\?>", "");
        Document doc = parse("<fragments>" + text + "</fragments>");
        Element root = doc.getDocumentElement();
        List<Element> top = children(root);
        if (top.size() == 1 && top.get(0).getTagName().equals("project")) return text;
        List<Element> dependencies = new ArrayList<>();
        List<Element> repositories = new ArrayList<>();
        for (Element e : top) {
            switch (e.getTagName()) {
                case "dependency" -> dependencies.add(e);
                case "repository" -> repositories.add(e);
                case "dependencies" -> dependencies.addAll(childrenNamed(e, "dependency"));
                case "repositories" -> repositories.addAll(childrenNamed(e, "repository"));
                case "project" -> throw new IllegalArgumentException("a <project> must be the only element of the cell");
                default -> {
                    if (!IGNORED.contains(e.getTagName())) {
                        throw new IllegalArgumentException("unrecognised tag <" + e.getTagName() + ">: use <dependency>, "
                                + "<dependencies>, <repository>, <repositories> or a whole <project>");
                    }
                }
            }
        }
        Document pom = newBuilder().newDocument();
        Element project = pom.createElement("project");
        pom.appendChild(project);
        for (String[] kv : new String[][] {{"modelVersion", "4.0.0"}, {"groupId", "notebook"}, {"artifactId", "cell"},
                {"version", "0"}}) {
            Element el = pom.createElement(kv[0]);
            el.setTextContent(kv[1]);
            project.appendChild(el);
        }
        if (!repositories.isEmpty()) project.appendChild(wrap(pom, "repositories", repositories));
        if (!dependencies.isEmpty()) project.appendChild(wrap(pom, "dependencies", dependencies));
        return serialise(pom);
    }

    private static Element wrap(Document pom, String name, List<Element> items) {
        Element list = pom.createElement(name);
        for (Element item : items) list.appendChild(pom.importNode(item, true));
        return list;
    }

    private static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) out.add(e);
            else if (n.getNodeType() == Node.TEXT_NODE && !n.getTextContent().isBlank()) {
                throw new IllegalArgumentException("text outside any element: '"
                        + ErrorFormatter.abbreviate(n.getTextContent().strip(), 40) + "'");
            }
        }
        return out;
    }

    private static List<Element> childrenNamed(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Element e : children(parent)) {
            if (!e.getTagName().equals(name)) {
                throw new IllegalArgumentException("<" + parent.getTagName() + "> may hold only <" + name + ">, not <"
                        + e.getTagName() + ">");
            }
            out.add(e);
        }
        return out;
    }

    private static DocumentBuilder newBuilder() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setExpandEntityReferences(false);
        f.setXIncludeAware(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b;
    }

    private static Document parse(String xml) throws Exception {
        try {
            return newBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            throw new IllegalArgumentException("the XML can't be read: " + e.getMessage()
                    + (e.getLineNumber() > 0 ? " (line " + e.getLineNumber() + ")" : ""));
        } catch (org.xml.sax.SAXException e) {
            throw new IllegalArgumentException("the XML can't be read: " + e.getMessage());
        }
    }

    private static String serialise(Document doc) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer t = tf.newTransformer();
        t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
        StringWriter out = new StringWriter();
        t.transform(new DOMSource(doc), new StreamResult(out));
        return out.toString();
    }
}
